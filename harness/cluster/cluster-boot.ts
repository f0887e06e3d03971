/**
 * The boot steps both providers share once their members are started: links into Toxiproxy,
 * apiservers ready, every node Ready, the kubeconfig. Each step is single-purpose and bounded in
 * time; a failure names what it waited for.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { Agent, request } from 'undici';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Node } from '../../orchestrator/api/types.js';
import type { ClusterLink } from './cluster-plan.js';
import {
  type ClusterCredentials,
  type IssuedCredentials,
  kubeconfig,
  writeHarnessCredentials,
} from './cluster-credentials.js';
import { simulatedNodeNames } from './cluster-spec.js';
import { pollUntil } from '../support/poll-until.js';
import { type ClusterRecord, clusterDir, writeClusterRecord } from './cluster-record.js';

/**
 * Waits for Toxiproxy's API, then creates the links it does not have (all of them at boot; after
 * a restart of Toxiproxy, the ones it forgot). Existing links are left alone: re-creating one
 * would cut its connections.
 */
export async function createLinks(
  toxiproxyUrl: string,
  links: ClusterLink[],
  signal?: AbortSignal,
  timeoutMs = 20_000,
): Promise<void> {
  await pollUntil(
    async () => {
      signal?.throwIfAborted();
      const res = await request(`${toxiproxyUrl}/version`, { reset: true }).catch(() => undefined);
      await res?.body.dump();
      return res?.statusCode === 200;
    },
    timeoutMs,
    `Toxiproxy API at ${toxiproxyUrl}`,
  );
  const toxiproxy = new Toxiproxy(toxiproxyUrl);
  const existing = await toxiproxy.getAll();
  const missing = links.filter((l) => !Object.hasOwn(existing, l.name));
  if (missing.length)
    await toxiproxy.populate(
      missing.map((l) => ({ name: l.name, listen: l.listen, upstream: l.upstream, enabled: true })),
    );
}

/** Waits until every apiserver answers /readyz with 200 (so etcd answers through its links too). */
export async function waitForApiservers(
  urls: string[],
  caPem: string,
  signal?: AbortSignal,
  timeoutMs = 30_000,
): Promise<void> {
  const agent = new Agent({ connect: { ca: caPem } });
  try {
    await Promise.all(
      urls.map((url) =>
        pollUntil(
          async () => {
            signal?.throwIfAborted();
            const res = await request(`${url}/readyz`, { dispatcher: agent }).catch(() => undefined);
            await res?.body.dump();
            return res?.statusCode === 200;
          },
          timeoutMs,
          `${url}/readyz`,
        ),
      ),
    );
  } finally {
    await agent.close();
  }
}

/** Waits until `count` nodes report Ready. */
export async function waitForReadyNodes(
  apiservers: string[],
  token: string,
  caPem: string,
  count: number,
  signal?: AbortSignal,
  timeoutMs = 60_000,
): Promise<void> {
  const client = new ApiClient({ servers: apiservers, token, caPem });
  const nodes = findResource('', 'v1', 'nodes')!;
  try {
    await pollUntil(
      async () => {
        signal?.throwIfAborted();
        const items = (await client.list<Node>(nodes).catch(() => ({ items: [] as Node[] }))).items;
        return items.filter(isReady).length === count;
      },
      timeoutMs,
      `all ${count} nodes Ready`,
      // A list of a thousand (simulated) nodes is over a megabyte: not fifty times a second.
      Math.min(500, 20 + count / 2),
    );
  } finally {
    await client.close();
  }
}

/**
 * Waits until the controller-manager has made the `default` ServiceAccount of the `default`
 * namespace: its controllers run, so a pod created now is admitted (a pod needs its service
 * account) and a namespace created now gets its own `default` account and `kube-root-ca.crt` at
 * once. Nodes are Ready before that: a kubelet needs no controller.
 */
export async function waitForControllerManager(
  apiservers: string[],
  token: string,
  caPem: string,
  signal?: AbortSignal,
  timeoutMs = 30_000,
): Promise<void> {
  const client = new ApiClient({ servers: apiservers, token, caPem });
  const serviceAccounts = findResource('', 'v1', 'serviceaccounts')!;
  try {
    await pollUntil(
      async () => {
        signal?.throwIfAborted();
        return Boolean(await client.tryGet(serviceAccounts, 'default', 'default').catch(() => undefined));
      },
      timeoutMs,
      'the controller-manager to make the default ServiceAccount',
    );
  } finally {
    await client.close();
  }
}

/**
 * Whether a controller-manager given these flags runs the serviceaccount controller: a spec may
 * select controllers (`--controllers=*,-nodelifecycle`), as kube-controller-manager's flag does.
 */
export function makesServiceAccounts(controllerManagerArgs: readonly string[]): boolean {
  const flag = [...controllerManagerArgs].reverse().find((a) => a.startsWith('--controllers='));
  if (flag === undefined) return true;
  const items = flag
    .slice('--controllers='.length)
    .split(',')
    .map((i) => i.trim());
  if (items.includes('-serviceaccount')) return false;
  return items.includes('*') || items.includes('serviceaccount');
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * The steps after a provider started every member, the same for all providers: links into
 * Toxiproxy, apiservers ready, every node Ready, the controllers running, then the kubeconfig (first apiserver, from the
 * host), the credentials and the record on disk — written last, so a cluster with a record is a
 * cluster that booted.
 */
export async function finishBoot(
  record: ClusterRecord,
  files: IssuedCredentials,
  progress: (line: string) => void,
  started: number,
  signal?: AbortSignal,
): Promise<ClusterCredentials> {
  await createLinks(record.toxiproxy, record.links, signal);
  progress(`toxiproxy: ${record.links.length} links`);
  await waitForApiservers(record.apiservers, files.caPem, signal);
  progress(`apiserver: ${record.apiservers.join(', ')} ready`);
  const nodes = record.workers.length + simulatedNodeNames(record.spec).length;
  await waitForReadyNodes(record.apiservers, files.tokens.admin, files.caPem, nodes, signal);
  progress(`all ${nodes} nodes Ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (makesServiceAccounts(record.spec.extraArgs['controller-manager']))
    await waitForControllerManager(record.apiservers, files.tokens.admin, files.caPem, signal);
  const credentials: ClusterCredentials = {
    kubeconfig: join(clusterDir(record.name), 'kubeconfig'),
    caPem: files.caPem,
    adminToken: files.tokens.admin,
    userTokens: files.tokens.users,
  };
  await writeFile(
    credentials.kubeconfig,
    kubeconfig(record.name, record.apiservers[0]!, files.caPem, files.tokens.admin),
    { mode: 0o600 },
  );
  await writeHarnessCredentials(record.name, credentials);
  await writeClusterRecord(record);
  return credentials;
}
