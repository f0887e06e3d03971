import { Agent, request } from 'undici';
import type { ClusterRecord } from '../cluster/index.js';
import type { GroundTruthSample, HistoryEvent } from '../history/history.js';
import type { HistoryPart } from '../history/history-assembler.js';
import { groundTruthPods } from './kubelet-pod-list.js';
import { elapsedSince, type RecorderOptions } from './recorder-options.js';
import { SamplingLoop } from './sampling-loop.js';
import { statusMessage } from './status-message.js';

/** A kubelet's answer to `GET /pods`: its HTTP status and body. */
export interface KubeletPodsAnswer {
  status: number;
  text: string;
}

/** One worker whose kubelet is asked. */
export type GroundTruthWorker = Pick<ClusterRecord['workers'][number], 'name' | 'ip' | 'kubeletPort'>;

export interface GroundTruthRecorderOptions extends RecorderOptions {
  /** The kubelets to ask, each at its own address (unless `readPods` reads them otherwise). */
  workers: readonly GroundTruthWorker[];
  /**
   * How a kubelet's `/pods` is read; it rejects when the kubelet cannot be reached. Default: `GET
   * http://<ip>:<kubeletPort>/pods`, straight to the kubelet, which keeps answering while the
   * control plane is down. A cluster whose kubelets the harness cannot reach directly reads them
   * through the apiserver's node proxy instead (`nodeProxyPodsReader(client)`).
   */
  readPods?: (worker: GroundTruthWorker, signal: AbortSignal) => Promise<KubeletPodsAnswer>;
  /** Default 500 ms. */
  intervalMs?: number;
  /** Deadline of each request; default 1000 ms. */
  timeoutMs?: number;
}

/**
 * The kubelets' ground truth: at a fixed rate, every worker's read-only `GET /pods` (a v1
 * PodList, as every kubelet serves it), which keeps answering while the control plane is down. A
 * kubelet that does not answer in time is recorded `reachable: false` (node lost, paused or cut
 * off); one that answers something other than a PodList is recorded the same way, with an `error`
 * event when that starts. A pod's containers are those running; one waiting to (re)start is left
 * out until it runs again, so a restart shows as a new pid (or container ID) and start time, not
 * as a gap and then a new one. See `groundTruthPods` for how a PodList is read.
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
      ({ status, text } = await (this.options.readPods ?? this.readDirectly)(
        worker,
        AbortSignal.timeout(this.timeoutMs),
      ));
    } catch {
      // Expected whenever a node is lost or cut off: the sample itself says so.
      this.failing.delete(worker.name);
      return unreachable;
    }
    const pods = status === 200 ? groundTruthPods(text) : undefined;
    if (!pods) {
      const problem =
        status === 200
          ? `kubelet of ${worker.name} answered /pods with something that is not a PodList`
          : `kubelet of ${worker.name} answered /pods with ${statusMessage(status, text)}`;
      if (this.failing.get(worker.name) !== problem)
        this.recordedEvents.push({ t, type: 'error', source: 'ground-truth', message: problem });
      this.failing.set(worker.name, problem);
      return unreachable;
    }
    this.failing.delete(worker.name);
    return { t, node: worker.name, reachable: true, pods };
  }

  private readonly readDirectly = async (
    worker: GroundTruthWorker,
    signal: AbortSignal,
  ): Promise<KubeletPodsAnswer> => {
    const res = await request(`http://${worker.ip}:${worker.kubeletPort}/pods`, {
      dispatcher: this.dispatcher,
      signal,
    });
    return { status: res.statusCode, text: await res.body.text() };
  };
}
