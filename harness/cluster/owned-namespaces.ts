import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Namespace } from '../../orchestrator/api/types.js';
import { sleep } from '../support/index.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;

/** The label every namespace a run creates carries: which run (the run's cluster name, `run-…`). */
export const RUN_LABEL = 'crucible.dev/run';
/** The label Kubernetes' own tools read for who manages an object. */
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/**
 * When the run that owns the namespace last said it was alive (RFC 3339). A run on an existing
 * cluster renews it; a namespace whose run stopped renewing it is a crashed run's leftover.
 */
export const HEARTBEAT_ANNOTATION = 'crucible.dev/heartbeat';

/** The selector of every namespace crucible made, or of one run's. */
export function ownedSelector(run?: string): string {
  return run === undefined ? RUN_LABEL : `${RUN_LABEL}=${run}`;
}

/**
 * Creates a namespace as run `run`'s own: labelled with the run, and with a heartbeat. What
 * exists already must be that run's; anything else is refused (a run works only in namespaces it
 * created, never in a user's).
 */
export async function createOwnedNamespace(client: ApiClient, run: string, name: string): Promise<void> {
  const namespace: Namespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { [RUN_LABEL]: run, [MANAGED_BY_LABEL]: 'crucible' },
      annotations: { [HEARTBEAT_ANNOTATION]: new Date().toISOString() },
    },
  };
  try {
    await client.create(NAMESPACES, namespace);
  } catch (e) {
    if ((e as { reason?: string }).reason !== 'AlreadyExists') throw e;
    const existing = await client.get<Namespace>(NAMESPACES, '', name);
    const owner = existing.metadata.labels?.[RUN_LABEL];
    if (owner !== run)
      throw new Error(
        `namespace ${name} exists already and is ${owner ? `run ${owner}'s` : 'not crucible’s'}: a run works only in namespaces it creates`,
      );
  }
}

/** The namespaces crucible made on the cluster (one run's, when `run` is given). */
export async function listOwnedNamespaces(client: ApiClient, run?: string): Promise<Namespace[]> {
  return (await client.list<Namespace>(NAMESPACES, '', { labelSelector: ownedSelector(run) })).items;
}

/** Renews the heartbeat of each of run `run`'s namespaces. */
export async function renewHeartbeat(client: ApiClient, run: string, now = new Date()): Promise<void> {
  for (const ns of await listOwnedNamespaces(client, run))
    if (!ns.metadata.deletionTimestamp)
      await client
        .patch(NAMESPACES, '', ns.metadata.name!, {
          metadata: { annotations: { [HEARTBEAT_ANNOTATION]: now.toISOString() } },
        })
        .catch(() => undefined);
}

/** How often a run on an existing cluster says, on its namespaces, that it is alive. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** A run whose namespaces went this long without a heartbeat is gone: six missed beats. */
export const STALE_AFTER_MS = 6 * HEARTBEAT_INTERVAL_MS;
/** How long removing a run's namespaces waits for them to be gone. */
export const NAMESPACE_DELETION_WAIT_MS = 60_000;

/** Kept by `crucible run --keep`: later runs' reaping leaves such namespaces to the user. */
export const KEPT_ANNOTATION = 'crucible.dev/kept';

/** Marks a run's namespaces as kept on purpose (`--keep`), so that no later run reaps them. */
export async function keepNamespaces(client: ApiClient, run: string, now = new Date()): Promise<void> {
  for (const ns of await listOwnedNamespaces(client, run))
    await client.patch(NAMESPACES, '', ns.metadata.name!, {
      metadata: { annotations: { [KEPT_ANNOTATION]: now.toISOString() } },
    });
}

/**
 * Deletes namespaces (and so everything in them), then waits until they are gone, up to
 * `waitMs`: a namespace still terminating then is named in the error. How many it deleted.
 */
export async function deleteNamespaces(
  client: ApiClient,
  names: readonly string[],
  waitMs: number,
): Promise<number> {
  let deleted = 0;
  for (const name of names)
    await client.delete(NAMESPACES, '', name).then(
      () => deleted++,
      (e: { reason?: string }) => {
        if (e.reason !== 'NotFound') throw e;
      },
    );
  const deadline = Date.now() + waitMs;
  for (;;) {
    const left: string[] = [];
    for (const name of names) if (await client.tryGet(NAMESPACES, '', name)) left.push(name);
    if (left.length === 0) return deleted;
    if (Date.now() >= deadline)
      throw new Error(`namespaces still terminating after ${waitMs / 1000} s: ${left.join(', ')}`);
    await sleep(500);
  }
}
