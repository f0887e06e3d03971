import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource, type ResourceType } from '../../orchestrator/api/resources.js';
import type { KubeObject, Namespace } from '../../orchestrator/api/types.js';
import { nodeNames, type RunningCluster } from '../cluster/index.js';

/** Each component log kept is its last this many bytes, as `kind export logs` keeps what fits. */
const LOG_TAIL_BYTES = 2 * 1024 * 1024;
/** Each part of the evidence has this long; what does not answer by then is said in its file. */
const PART_TIMEOUT_MS = 10_000;

const CLUSTER_SCOPED = [findResource('', 'v1', 'nodes')!];
const PER_NAMESPACE: ResourceType[] = [
  findResource('', 'v1', 'pods')!,
  findResource('', 'v1', 'events')!,
  findResource('apps', 'v1', 'deployments')!,
  findResource('apps', 'v1', 'replicasets')!,
  findResource('', 'v1', 'services')!,
  findResource('', 'v1', 'endpoints')!,
];

/**
 * What a person needs to understand a run without running it again, taken before teardown as
 * `kind export logs` does: each node's log (`logs/<node>.log`, its last 2 MB) and a dump of the
 * cluster's objects (`objects/cluster.json` with the nodes, `objects/<namespace>.json` with pods
 * and their status, events, deployments, replicasets, services and endpoints; on a cluster that is
 * not the run's own, only of the namespaces the run created). Paths relative to
 * the run's folder → their text. Never rejects: a part that cannot be had says why in its place.
 */
export async function collectEvidence(
  cluster: RunningCluster,
  client: ApiClient,
  runNamespaces: readonly string[],
): Promise<Map<string, string>> {
  // On a cluster that is not the run's own, other people's namespaces are none of its business.
  const own = cluster.features.has('own-cluster');
  const evidence = new Map<string, string>();
  await Promise.all([
    ...nodeNames(cluster.record).map(async (node) => {
      const log = await bounded(cluster.logs(node), `the log of ${node}`);
      evidence.set(`logs/${node}.log`, tail(log));
    }),
    (async () => {
      evidence.set('objects/cluster.json', await dump(client, CLUSTER_SCOPED, ''));
      const namespaces = await bounded(
        client
          .list<Namespace>(findResource('', 'v1', 'namespaces')!)
          .then((l) => l.items.map((n) => n.metadata.name!)),
        'the namespaces',
      );
      if (typeof namespaces === 'string') evidence.set('objects/namespaces.txt', namespaces);
      else
        for (const ns of own ? namespaces : namespaces.filter((n) => runNamespaces.includes(n)))
          evidence.set(`objects/${ns}.json`, await dump(client, PER_NAMESPACE, ns));
    })(),
  ]);
  return evidence;
}

async function dump(client: ApiClient, resources: ResourceType[], namespace: string): Promise<string> {
  const lists: Record<string, KubeObject[] | string> = {};
  for (const r of resources) {
    const items = await bounded(
      client.list<KubeObject>(r, namespace).then((l) => l.items),
      `the ${r.resource}`,
    );
    lists[r.resource] = items;
  }
  return JSON.stringify(lists, null, 2);
}

/** The value, or a sentence saying why there is none (a failure, or no answer in time). */
async function bounded<T>(work: Promise<T>, what: string): Promise<T | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`${what} did not come within ${PART_TIMEOUT_MS / 1000} s`),
      PART_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work.catch((e: Error) => `${what} could not be read: ${e.message}`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function tail(text: string): string {
  if (Buffer.byteLength(text) <= LOG_TAIL_BYTES) return text;
  const bytes = Buffer.from(text);
  return `[… the first ${bytes.length - LOG_TAIL_BYTES} bytes left out]\n${bytes.subarray(bytes.length - LOG_TAIL_BYTES).toString('utf8')}`;
}
