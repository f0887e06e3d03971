import { z } from 'zod';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { ApiError } from '../../orchestrator/api/errors.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Pod } from '../../orchestrator/api/types.js';
import { withAdminClient } from '../cluster/index.js';
import { sleep } from '../support/index.js';
import type { FaultPlugin } from './fault.js';
import { FaultError } from './fault-error.js';
import { setUnschedulable } from './node-api.js';
import { nodesOfRole, selectTargets } from './target-selector.js';

const PODS = findResource('', 'v1', 'pods')!;
/** How long between two rounds of evictions that a PodDisruptionBudget refused, as kubectl drain waits. */
const RETRY_MS = 1000;

/**
 * node-drain: what `kubectl drain --ignore-daemonsets --force` does. The node is cordoned, then
 * each of its pods is evicted through the Eviction API, so PodDisruptionBudgets are respected: an
 * eviction the budget refuses (429) is tried again each second until `timeoutMs`. DaemonSet pods
 * and static pods stay, as kubectl leaves them. A drain that cannot finish in time fails (and the
 * injector uncordons at once). Heal uncordons the node.
 */
export const nodeDrainFault: FaultPlugin<{ timeoutMs: number }> = {
  type: 'node-drain',
  description:
    'cordon a worker and evict its pods through the Eviction API (PodDisruptionBudgets respected); heal uncordons it',
  targetDescription: 'workers: worker-1, worker-2, … (or random, one, minority, majority, all of them)',
  options: z
    .object({
      timeoutMs: z.number().int().positive().default(60_000).meta({
        description:
          'how long evictions refused by a PodDisruptionBudget are tried again before the drain fails',
      }),
    })
    .strict(),
  needs: () => [],
  targets: async (ctx, target) =>
    selectTargets(target, nodesOfRole(ctx.cluster.record, 'worker'), ctx.random, 'workers'),
  inject: (ctx, nodes, { timeoutMs }) =>
    withAdminClient(ctx.cluster, async (client) => {
      for (const node of nodes) await setUnschedulable(client, node, true);
      const deadline = Date.now() + timeoutMs;
      for (const node of nodes) await drain(client, node, deadline, timeoutMs);
    }),
  heal: (ctx, nodes) =>
    withAdminClient(ctx.cluster, async (client) => {
      for (const node of nodes) await setUnschedulable(client, node, false);
    }),
};

async function drain(client: ApiClient, node: string, deadline: number, timeoutMs: number): Promise<void> {
  for (;;) {
    const pods = (await client.list<Pod>(PODS, '', { fieldSelector: `spec.nodeName=${node}` })).items.filter(
      evictable,
    );
    const refused: string[] = [];
    for (const pod of pods) {
      const why = await evict(client, pod);
      if (why) refused.push(`${pod.metadata.namespace}/${pod.metadata.name} (${why})`);
    }
    if (refused.length === 0) return;
    if (Date.now() >= deadline)
      throw new FaultError(
        'DrainIncomplete',
        `${node}: ${refused.length} pod(s) could not be evicted within ${timeoutMs / 1000} s: ${refused.join(', ')}`,
      );
    await sleep(RETRY_MS);
  }
}

/** Evicts the pod; why it was refused (a disruption budget), or undefined when it is going or gone. */
async function evict(client: ApiClient, pod: Pod): Promise<string | undefined> {
  try {
    await client.create(
      PODS,
      {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: pod.metadata.name!, namespace: pod.metadata.namespace! },
      },
      'eviction',
    );
    return undefined;
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) return undefined;
    if (e instanceof ApiError && e.code === 429) return e.message;
    throw e;
  }
}

/** What a drain evicts: not DaemonSet pods (their controller ignores cordons), static pods, or pods on their way out. */
function evictable(pod: Pod): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  if (pod.metadata.annotations?.['kubernetes.io/config.mirror']) return false;
  return !pod.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.controller);
}
