import { Agent, request } from 'undici';
import type { KubeletContainerView } from '../../orchestrator/api/kubelet-view.js';
import type { ClusterRecord } from '../cluster/index.js';
import type { GroundTruthPod, GroundTruthSample, HistoryEvent } from '../history/history.js';
import type { HistoryPart } from '../history/history-assembler.js';
import { elapsedSince, type RecorderOptions } from './recorder-options.js';
import { SamplingLoop } from './sampling-loop.js';
import { statusMessage } from './status-message.js';

export interface GroundTruthRecorderOptions extends RecorderOptions {
  /** The kubelets to ask, each at its own address. */
  workers: readonly Pick<ClusterRecord['workers'][number], 'name' | 'ip' | 'kubeletPort'>[];
  /** Default 500 ms. */
  intervalMs?: number;
  /** Deadline of each request; default 1000 ms. */
  timeoutMs?: number;
}

/**
 * The kubelets' ground truth: at a fixed rate, every worker's read-only `GET /pods`, which keeps
 * answering while the control plane is down. A kubelet that does not answer in time is recorded
 * `reachable: false` (node lost, paused or cut off); one that answers something other than its
 * list is recorded the same way, with an `error` event when that starts. A pod's containers are
 * those running (with a pid); one waiting to (re)start is left out until it runs again, so a
 * restart shows as a new pid, not as a pid of 0 and then a new one.
 */
export class GroundTruthRecorder {
  private readonly dispatcher: Agent;
  private readonly loop: SamplingLoop;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly recorded: GroundTruthSample[] = [];
  private readonly recordedEvents: HistoryEvent[] = [];
  /** Per node: the answer that was not a list, while it lasts (one error event per streak). */
  private readonly failing = new Map<string, string>();
  private stopping?: Promise<void>;

  constructor(private readonly options: GroundTruthRecorderOptions) {
    this.now = elapsedSince(options);
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.dispatcher = new Agent({ connect: { timeout: this.timeoutMs }, keepAliveTimeout: 10_000 });
    this.loop = new SamplingLoop(
      options.intervalMs ?? 500,
      () => this.sample(),
      (e) =>
        this.recordedEvents.push({
          t: this.now(),
          type: 'error',
          source: 'ground-truth',
          message: String(e),
        }),
    );
  }

  /** Every sample so far, in time order: one per worker per tick. */
  get samples(): readonly GroundTruthSample[] {
    return this.recorded;
  }

  /** Errors: a kubelet answering something that is not its list of containers. */
  get events(): readonly HistoryEvent[] {
    return this.recordedEvents;
  }

  part(): HistoryPart {
    return { groundTruth: this.recorded, events: this.recordedEvents };
  }

  start(): void {
    this.loop.start();
  }

  /** Stops sampling after the tick in flight; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.loop.stop().then(() => this.dispatcher.close().catch(() => undefined));
    return this.stopping;
  }

  private async sample(): Promise<void> {
    const t = this.now();
    const samples = await Promise.all(this.options.workers.map((w) => this.sampleNode(t, w)));
    this.recorded.push(...samples);
  }

  private async sampleNode(
    t: number,
    worker: GroundTruthRecorderOptions['workers'][number],
  ): Promise<GroundTruthSample> {
    const unreachable: GroundTruthSample = { t, node: worker.name, reachable: false, pods: [] };
    let status: number;
    let text: string;
    try {
      const res = await request(`http://${worker.ip}:${worker.kubeletPort}/pods`, {
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch {
      // Expected whenever a node is lost or cut off: the sample itself says so.
      this.failing.delete(worker.name);
      return unreachable;
    }
    const containers = status === 200 ? parseContainers(text) : undefined;
    if (!containers) {
      const problem =
        status === 200
          ? `kubelet of ${worker.name} answered /pods with something that is not a list of containers`
          : `kubelet of ${worker.name} answered /pods with ${statusMessage(status, text)}`;
      if (this.failing.get(worker.name) !== problem)
        this.recordedEvents.push({ t, type: 'error', source: 'ground-truth', message: problem });
      this.failing.set(worker.name, problem);
      return unreachable;
    }
    this.failing.delete(worker.name);
    return { t, node: worker.name, reachable: true, pods: podsOf(containers) };
  }
}

function parseContainers(text: string): KubeletContainerView[] | undefined {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const valid = list.every(
    (c: Partial<KubeletContainerView> | null) =>
      typeof c?.podUid === 'string' &&
      typeof c.namespace === 'string' &&
      typeof c.pod === 'string' &&
      typeof c.container === 'string',
  );
  return valid ? (list as KubeletContainerView[]) : undefined;
}

/** The kubelet's containers grouped by pod, pods in namespace/name order. */
function podsOf(containers: readonly KubeletContainerView[]): GroundTruthPod[] {
  const pods = new Map<string, GroundTruthPod>();
  for (const c of containers) {
    let pod = pods.get(c.podUid);
    if (!pod) {
      pod = { namespace: c.namespace, name: c.pod, uid: c.podUid, containers: [] };
      pods.set(c.podUid, pod);
    }
    if (c.pid !== undefined && c.startedAt !== undefined)
      pod.containers.push({
        name: c.container,
        pid: c.pid,
        startedAt: c.startedAt,
        restarts: c.restarts ?? 0,
      });
  }
  return [...pods.values()].sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.uid.localeCompare(b.uid),
  );
}
