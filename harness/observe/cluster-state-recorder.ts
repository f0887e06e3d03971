import { listAll, type ApiClient } from '../../orchestrator/api/client/index.js';
import { ApiError } from '../../orchestrator/api/errors.js';
import { isPodActive } from '../../orchestrator/api/pod-helpers.js';
import { findResource, type ResourceType } from '../../orchestrator/api/resources.js';
import { labelSelectorFromObject, NOTHING } from '../../orchestrator/api/selectors/index.js';
import type { Deployment, KubeObject, Lease, Node, Pod } from '../../orchestrator/api/types.js';
import { type ApiAccess, observerClient } from './api-access.js';
import type { HistoryEvent, NodeSample, WorkloadSample } from '../history/history.js';
import type { HistoryPart } from '../history/history-assembler.js';
import { podChanges, podViewOf, type PodView } from './pod-changes.js';
import { elapsedSince, type RecorderOptions } from './recorder-options.js';
import { SamplingLoop } from './sampling-loop.js';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

/** The leader-elected components and their Leases in kube-system, as upstream names them. */
const LEADER_LEASES: readonly { component: string; lease: string }[] = [
  { component: 'scheduler', lease: 'kube-scheduler' },
  { component: 'controller-manager', lease: 'kube-controller-manager' },
];

type Ready = NodeSample['ready'];

export interface ClusterStateRecorderOptions extends RecorderOptions {
  access: ApiAccess;
  /** Namespaces whose Deployments and pods are followed; every namespace when absent. */
  namespaces?: readonly string[];
  /** Default 500 ms. */
  intervalMs?: number;
  /** Deadline of each request of a sample; default 2000 ms. */
  timeoutMs?: number;
}

interface Snapshot {
  nodes: Node[];
  deployments: Deployment[];
  pods: Pod[];
  holders: { component: string; holder?: string }[];
}

/**
 * The cluster as the API shows it, sampled at a fixed rate: per node its Ready condition
 * (`series.nodes`), per Deployment of the followed namespaces its desired replicas, the pods that
 * exist for it — matching its selector, neither terminating nor finished — and how many of those
 * are Ready (`series.workloads`) — and events from the differences between
 * samples: `node-condition` when a node's Ready changes, `pod` changes, and `leader` when the
 * holder of the scheduler's or controller-manager's Lease changes.
 *
 * The first sample gives every node's condition and every leader as events (the state at the
 * start), and is the baseline for pods: pods that exist then get no `created` event. A sample
 * the API did not fully answer is skipped, not guessed: the API probe records the outage, and
 * the next sample is compared with the last complete one. A Lease without a holder records
 * nothing (the history's leader is who last held it).
 */
export class ClusterStateRecorder {
  private readonly client: ApiClient;
  private readonly loop: SamplingLoop;
  private readonly now: () => number;
  private readonly nodeSamples: NodeSample[] = [];
  private readonly workloadSamples: WorkloadSample[] = [];
  private readonly recordedEvents: HistoryEvent[] = [];
  private readonly nodeReady = new Map<string, Ready>();
  private readonly leaders = new Map<string, string>();
  private pods?: Map<string, PodView>;
  /** The message of a refusal that is going on, so it is recorded once, not every sample. */
  private refusal?: string;
  private stopping?: Promise<void>;

  constructor(private readonly options: ClusterStateRecorderOptions) {
    this.now = elapsedSince(options);
    this.client = observerClient(options.access, 'crucible-observer', { timeoutMs: options.timeoutMs });
    this.loop = new SamplingLoop(
      options.intervalMs ?? 500,
      () => this.sample(),
      (e) =>
        this.recordedEvents.push({
          t: this.now(),
          type: 'error',
          source: 'cluster-state',
          message: String(e),
        }),
    );
  }

  /** Every node's Ready condition, per sample, in time order. */
  get nodes(): readonly NodeSample[] {
    return this.nodeSamples;
  }

  /** Every followed Deployment, per sample, in time order. */
  get workloads(): readonly WorkloadSample[] {
    return this.workloadSamples;
  }

  /** node-condition, pod and leader events, and errors (a refusal of the API), in time order. */
  get events(): readonly HistoryEvent[] {
    return this.recordedEvents;
  }

  part(): HistoryPart {
    return {
      events: this.recordedEvents,
      series: { nodes: this.nodeSamples, workloads: this.workloadSamples },
    };
  }

  start(): void {
    this.loop.start();
  }

  /** Stops sampling after the sample in flight; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.loop.stop().then(() => this.client.close().catch(() => undefined));
    return this.stopping;
  }

  private async sample(): Promise<void> {
    const t = this.now();
    let snapshot: Snapshot;
    try {
      snapshot = await this.read();
    } catch (e) {
      this.sampleFailed(t, e);
      return;
    }
    this.refusal = undefined;
    this.recordNodes(t, snapshot.nodes);
    this.recordLeaders(t, snapshot.holders);
    this.recordWorkloads(t, snapshot.deployments, snapshot.pods);
    const pods = new Map(snapshot.pods.map((p) => podViewOf(p)).map((v) => [v.uid, v]));
    if (this.pods) this.recordedEvents.push(...podChanges(this.pods, pods, t));
    this.pods = pods;
  }

  private async read(): Promise<Snapshot> {
    const namespaces = this.options.namespaces ?? [''];
    // Each namespace in one unpaged list: a sample is one request per namespace and resource.
    const inFollowedNamespaces = async <T extends KubeObject>(r: ResourceType): Promise<T[]> =>
      (await Promise.all(namespaces.map((namespace) => listAll<T>(this.client, r, { namespace })))).flatMap(
        (l) => l.items,
      );
    const [nodes, deployments, pods, holders] = await Promise.all([
      this.client.list<Node>(NODES).then((l) => l.items),
      inFollowedNamespaces<Deployment>(DEPLOYMENTS),
      inFollowedNamespaces<Pod>(PODS),
      Promise.all(
        LEADER_LEASES.map(async ({ component, lease }) => ({
          component,
          holder: (await this.client.tryGet<Lease>(LEASES, 'kube-system', lease))?.spec?.holderIdentity,
        })),
      ),
    ]);
    return { nodes, deployments, pods, holders };
  }

  /**
   * No answer, or the API unavailable (429, 5xx): skipped without a word (the API probe has it).
   * Anything else — a refusal (401, 403…) of a misconfigured recorder — is recorded once while
   * it lasts.
   */
  private sampleFailed(t: number, e: unknown): void {
    if (e instanceof ApiError && (e.code === 429 || e.code >= 500)) return;
    const message = `cannot read the cluster's state: ${e instanceof Error ? e.message : String(e)}`;
    if (this.refusal !== message)
      this.recordedEvents.push({ t, type: 'error', source: 'cluster-state', message });
    this.refusal = message;
  }

  private recordNodes(t: number, nodes: readonly Node[]): void {
    for (const node of [...nodes].sort((a, b) => nameOf(a).localeCompare(nameOf(b)))) {
      const name = nameOf(node);
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      this.nodeSamples.push({ t, node: name, ready });
      if (this.nodeReady.get(name) !== ready)
        this.recordedEvents.push({ t, type: 'node-condition', node: name, ready });
      this.nodeReady.set(name, ready);
    }
  }

  private recordLeaders(t: number, holders: Snapshot['holders']): void {
    for (const { component, holder } of holders) {
      if (!holder || this.leaders.get(component) === holder) continue;
      this.recordedEvents.push({ t, type: 'leader', component, holder });
      this.leaders.set(component, holder);
    }
  }

  private recordWorkloads(t: number, deployments: readonly Deployment[], pods: readonly Pod[]): void {
    const sorted = [...deployments].sort(
      (a, b) =>
        (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
        nameOf(a).localeCompare(nameOf(b)),
    );
    for (const d of sorted) {
      const namespace = d.metadata.namespace ?? '';
      const selector = selectorOf(d);
      const active = pods.filter(
        (p) => p.metadata.namespace === namespace && isPodActive(p) && selector.matches(p.metadata.labels),
      );
      this.workloadSamples.push({
        t,
        namespace,
        name: nameOf(d),
        desired: d.spec.replicas ?? 1,
        // Counted from the pods, not read from the Deployment's status: the status is a
        // controller's summary, and goes stale exactly when a controller is down or broken.
        ready: active.filter(isPodReady).length,
        pods: active.length,
      });
    }
  }
}

function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function nameOf(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

function selectorOf(d: Deployment) {
  try {
    return labelSelectorFromObject(d.spec.selector);
  } catch {
    return NOTHING;
  }
}
