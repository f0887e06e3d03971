import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import { quantityValue } from '../../orchestrator/api/schemas/quantity.js';
import { SIMULATED_NODE_LABEL } from '../../orchestrator/api/simulated-nodes.js';
import type { Namespace, Node, Taint } from '../../orchestrator/api/types.js';
import type { ClusterCredentials } from './cluster-credentials.js';
import { ClusterError } from './cluster-error.js';
import type { ClusterFeature } from './cluster-features.js';
import { KUBELET_PORT, PROXY_HEALTH_PORT } from './cluster-plan.js';
import type { ClusterProvider } from './cluster-provider.js';
import type { ClusterRecord } from './cluster-record.js';
import { type ClusterSpec, defaultClusterSpec } from './cluster-spec.js';
import { KubeconfigCluster } from './kubeconfig-cluster.js';
import { type KubeconfigContext, readKubeconfigContext } from './kubeconfig-context.js';
import { type NodeContainerMatch, matchNodeContainers } from './node-containers.js';
import {
  HEARTBEAT_ANNOTATION,
  KEPT_ANNOTATION,
  NAMESPACE_DELETION_WAIT_MS,
  STALE_AFTER_MS,
  deleteNamespaces,
  listOwnedNamespaces,
  RUN_LABEL,
} from './owned-namespaces.js';

const NODES = findResource('', 'v1', 'nodes')!;
const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** Which cluster: a kubeconfig file, a context in it (named, always), and optionally which container each Node is. */
export interface KubeconfigTarget {
  kubeconfig: string;
  context?: string;
  /** Node name → Docker container (name or id), where hostname and address do not tell. */
  nodeContainers?: Record<string, string>;
}

/** A Node crucible may run workloads and load through: a worker, not the control plane, with a kubelet of its own. */
interface WorkerNode {
  name: string;
  ip: string;
  kubeletPort: number;
  node: Node;
}

/**
 * `--provider kubeconfig`: an existing Kubernetes cluster as the system under test, reached
 * through a context of a kubeconfig and nothing else: it never reads crucible's own records of
 * clusters. `connect` checks the context and the cluster, lists its workers and matches them to
 * Docker containers of this machine (the node-level faults need that); `create` then gives a run
 * its handle, after removing what a crashed run left (namespaces whose heartbeat stopped).
 */
export class KubeconfigProvider implements ClusterProvider {
  readonly name = 'kubeconfig';

  private constructor(
    readonly context: KubeconfigContext,
    private readonly workers: WorkerNode[],
    private readonly containers: NodeContainerMatch,
    readonly features: ReadonlySet<ClusterFeature>,
  ) {}

  static async connect(target: KubeconfigTarget): Promise<KubeconfigProvider> {
    const context = await readKubeconfigContext(target.kubeconfig, target.context);
    const nodes = await withClient(context, async (client) => {
      try {
        return (await client.list<Node>(NODES)).items;
      } catch (e) {
        throw new ClusterError(
          'ClusterUnreachable',
          `context "${context.context}" (${context.server}): listing the Nodes failed: ${(e as Error).message}`,
        );
      }
    });
    const workers = nodes.flatMap((node): WorkerNode[] => {
      const labels = node.metadata.labels ?? {};
      if (CONTROL_PLANE_LABELS.some((l) => l in labels) || labels[SIMULATED_NODE_LABEL]) return [];
      const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
      if (!ip) return [];
      const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
      return [{ name: node.metadata.name!, ip, kubeletPort: port || KUBELET_PORT, node }];
    });
    const containers = await matchNodeContainers(workers, target.nodeContainers);
    const allMatched = workers.length > 0 && containers.unmatched.length === 0;
    const features = new Set<ClusterFeature>(allMatched ? ['worker-nodes', 'packet-filter'] : []);
    return new KubeconfigProvider(context, workers, containers, features);
  }

  /** In words, for the run's first lines: which cluster, its workers, and which are containers crucible can act on. */
  describe(): string {
    const { context, server } = this.context;
    const matched = [...this.containers.matched.keys()];
    return [
      `context ${context} (${server}): ${this.workers.length} workers (${this.workers.map((w) => w.name).join(', ') || 'none'})`,
      matched.length
        ? `matched to Docker containers: ${matched.join(', ')}`
        : 'no worker matched to a Docker container: API-level faults only',
      ...this.containers.unmatched.map((u) => `${u.node} not matched: ${u.reason}`),
    ].join('; ');
  }

  unmetNeeds(spec: ClusterSpec): string[] {
    const reasons: string[] = builtClusterNeeds(spec);
    const asked = spec.workers.reduce((n, g) => n + g.count, 0);
    if (asked > this.workers.length)
      reasons.push(`it asks for ${asked} workers; the cluster has ${this.workers.length}`);
    const defaults = defaultClusterSpec().workers[0]!.capacity;
    for (const group of spec.workers) {
      const capacityAsked = (['cpu', 'memory', 'pods'] as const).some(
        (k) => quantityValue(group.capacity[k]) !== quantityValue(defaults[k]),
      );
      if (!capacityAsked && Object.keys(group.labels).length === 0 && group.taints.length === 0) continue;
      const fitting = this.workers.filter(
        (w) =>
          (!capacityAsked || sameCapacity(w.node, group.capacity)) &&
          Object.entries(group.labels).every(([k, v]) => w.node.metadata.labels?.[k] === v) &&
          group.taints.every((t) => (w.node.spec?.taints ?? []).some((nt) => sameTaint(nt, t))),
      ).length;
      if (fitting < group.count)
        reasons.push(
          `it asks for ${group.count} workers${capacityAsked ? ` of cpu ${group.capacity.cpu}, memory ${group.capacity.memory}, pods ${group.capacity.pods}` : ''}${
            Object.keys(group.labels).length
              ? ` labelled ${Object.entries(group.labels)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(',')}`
              : ''
          }${group.taints.length ? ` tainted ${group.taints.map((t) => `${t.key}:${t.effect}`).join(',')}` : ''}; the cluster has ${fitting}`,
        );
    }
    return reasons;
  }

  /** The workers' names: the Nodes faults may act on. */
  get workerNames(): string[] {
    return this.workers.map((w) => w.name);
  }

  /** The namespaces of crashed runs the next run would remove (for --dry-run). */
  leftovers(): Promise<string[]> {
    return withClient(this.context, async (client) =>
      (await abandonedNamespaces(client)).map((n) => n.metadata.name!),
    );
  }

  async create(spec: ClusterSpec, progress: (line: string) => void): Promise<KubeconfigCluster> {
    progress(this.describe());
    await withClient(this.context, (client) => reapAbandonedNamespaces(client, progress));
    const dir = await mkdtemp(join(tmpdir(), 'crucible-kubeconfig-'));
    const kubeconfig = join(dir, 'kubeconfig');
    // The run's kubectl gets the context alone, in a file only this user can read.
    await writeFile(kubeconfig, this.context.minified, { mode: 0o600 });
    const record: ClusterRecord = {
      apiVersion: 'crucible.dev/v1alpha1',
      kind: 'ClusterRecord',
      name: spec.name,
      runId: randomBytes(4).toString('hex'),
      provider: 'kubeconfig',
      createdAt: new Date().toISOString(),
      spec,
      apiservers: [this.context.server],
      toxiproxy: '',
      links: [],
      workers: this.workers.map((w) => ({
        name: w.name,
        ip: w.ip,
        kubeletPort: w.kubeletPort,
        proxyHealthPort: PROXY_HEALTH_PORT,
      })),
      members: [],
      handles: Object.fromEntries(
        [...this.containers.matched].map(([node, c]) => [
          node,
          { containerId: c.containerId, ...(c.network ? { ip: c.network.ip } : {}) },
        ]),
      ),
    };
    const credentials: ClusterCredentials = {
      kubeconfig,
      caPem: this.context.caPem,
      ...(this.context.token ? { adminToken: this.context.token } : {}),
      ...(this.context.clientCert ? { adminClientCert: this.context.clientCert } : {}),
      userTokens: {},
    };
    return new KubeconfigCluster(record, credentials, this.features, this.containers, dir);
  }

  attach(): never {
    throw new ClusterError(
      'ProviderUnsupported',
      'an existing cluster has no crucible record to attach to: use --provider kubeconfig with its context',
    );
  }

  /** Removes run `name`'s namespaces from the cluster; how many. */
  delete(name: string): Promise<number> {
    return withClient(this.context, async (client) =>
      deleteNamespaces(
        client,
        (await listOwnedNamespaces(client, name)).map((n) => n.metadata.name!),
        NAMESPACE_DELETION_WAIT_MS,
      ),
    );
  }
}

/**
 * What crashed runs left: crucible's namespaces whose heartbeat stopped more than STALE_AFTER_MS
 * ago, unless a run kept them on purpose (`--keep`).
 */
async function abandonedNamespaces(client: ApiClient): Promise<Namespace[]> {
  const now = Date.now();
  return (await listOwnedNamespaces(client)).filter((ns: Namespace) => {
    const annotations = ns.metadata.annotations ?? {};
    if (annotations[KEPT_ANNOTATION] || ns.metadata.deletionTimestamp) return false;
    const beat = Date.parse(annotations[HEARTBEAT_ANNOTATION] ?? ns.metadata.creationTimestamp ?? '');
    return !(now - beat < STALE_AFTER_MS);
  });
}

/** Removes what crashed runs left, saying which runs' namespaces go. */
async function reapAbandonedNamespaces(client: ApiClient, progress: (line: string) => void): Promise<void> {
  const abandoned = await abandonedNamespaces(client);
  if (abandoned.length === 0) return;
  const runs = [...new Set(abandoned.map((ns) => ns.metadata.labels?.[RUN_LABEL]))].join(', ');
  progress(
    `removing ${abandoned.length} namespaces that crashed runs left (${runs}): ${abandoned.map((n) => n.metadata.name).join(', ')}`,
  );
  await deleteNamespaces(
    client,
    abandoned.map((n) => n.metadata.name!),
    NAMESPACE_DELETION_WAIT_MS,
  );
}

async function withClient<T>(
  context: KubeconfigContext,
  work: (client: ApiClient) => Promise<T>,
): Promise<T> {
  const client = new ApiClient({
    servers: [context.server],
    caPem: context.caPem,
    ...(context.token ? { token: context.token } : {}),
    ...(context.clientCert ? { clientCert: context.clientCert } : {}),
    retries: 1,
  });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/**
 * What a spec asks of a cluster crucible would build, which an existing cluster cannot take: its
 * components' flags, known bugs, its own users, programs loaded onto its nodes, simulated nodes.
 * The control plane's size is not among them: the faults that need it say so themselves.
 */
function builtClusterNeeds(spec: ClusterSpec): string[] {
  const reasons: string[] = [];
  const flagged = Object.entries(spec.extraArgs).filter(([, args]) => args.length > 0);
  if (flagged.length)
    reasons.push(
      `it passes flags to ${flagged.map(([c]) => c).join(', ')} (extraArgs), which only a cluster crucible builds takes`,
    );
  if (spec.sabotage.length)
    reasons.push(`it builds the cluster with known bugs (sabotage: ${spec.sabotage.join(', ')})`);
  if (spec.users.length)
    reasons.push(`it gives the cluster users of its own (users: ${spec.users.join(', ')})`);
  if (spec.images.length)
    reasons.push(`it loads programs onto the nodes (images: ${spec.images.map((i) => i.name).join(', ')})`);
  if (spec.simulatedNodes?.count) reasons.push(`it asks for ${spec.simulatedNodes.count} simulated nodes`);
  if (spec.controlPlane.cloudControllerManager)
    reasons.push("it asks for crucible's cloud-controller-manager (controlPlane.cloudControllerManager)");
  return reasons;
}

function sameCapacity(node: Node, capacity: ClusterSpec['workers'][number]['capacity']): boolean {
  const has = node.status?.capacity ?? {};
  return (['cpu', 'memory', 'pods'] as const).every(
    (k) => has[k] !== undefined && quantityValue(has[k]) === quantityValue(capacity[k]),
  );
}

function sameTaint(a: Taint, b: { key: string; value?: string | undefined; effect: string }): boolean {
  return a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '');
}
