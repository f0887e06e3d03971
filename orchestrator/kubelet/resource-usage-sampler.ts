import { systemTimers, type TimerScheduler } from '../api/client/index.js';
import { systemClock, type Clock } from '../api/clock.js';
import type { ContainerInfo } from './container-runtime.js';
import { nanoCores, nextContainerUsage, type ContainerUsage } from './container-usage.js';
import { readProcessGroups, type ProcessSample } from './process-groups.js';

/** A running container and the process group that holds its processes. */
export interface SampledContainer {
  info: ContainerInfo;
  pgid: number;
}

/** The node's usage: what its containers use together (the kubelet's own process not included). */
export interface NodeUsage {
  time: Date;
  usageCoreNanoSeconds: number;
  usageNanoCores?: number;
  windowMs?: number;
  rssBytes: number;
}

export interface ResourceUsageSamplerOptions {
  /** The containers to measure now. */
  containers: () => SampledContainer[];
  /** How often to sample (the timing profile's resourceMetricsResolutionMs). */
  resolutionMs: number;
  timers?: TimerScheduler;
  /** When each sample is taken: its timestamp, and the window since the previous one. */
  clock?: Clock;
  /** Reads the processes of the given groups; /proc by default (tests give their own). */
  readGroups?: (pgids: ReadonlySet<number>) => Map<number, ProcessSample[]>;
}

/**
 * Samples the CPU and memory of every running container every `resolutionMs`, as cAdvisor's
 * housekeeping does for the kubelet: CPU is the growth of the processes' CPU time over the last
 * window (a rate in nanocores), memory the resident set now. A container is known by its id, so a
 * restarted container starts afresh; one that stopped running is forgotten at the next sample.
 */
export class ResourceUsageSampler {
  private readonly timers: TimerScheduler;
  private readonly clock: Clock;
  private readonly readGroups: (pgids: ReadonlySet<number>) => Map<number, ProcessSample[]>;
  private usageById = new Map<string, { container: SampledContainer; usage: ContainerUsage }>();
  private node?: NodeUsage;
  private handle?: unknown;
  private stopped = false;

  constructor(private readonly options: ResourceUsageSamplerOptions) {
    if (!(options.resolutionMs > 0)) throw new RangeError('ResourceUsageSampler needs a positive resolution');
    this.timers = options.timers ?? systemTimers;
    this.clock = options.clock ?? systemClock;
    this.readGroups = options.readGroups ?? readProcessGroups;
  }

  /** Samples now, then every resolution until stopped. */
  start(): void {
    if (this.handle !== undefined || this.stopped) return;
    this.tick();
  }

  /** No sample is taken after this; safe to call twice. */
  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /** The latest usage of every container sampled at the last sample. */
  containers(): { container: SampledContainer; usage: ContainerUsage }[] {
    return [...this.usageById.values()];
  }

  /** The node's usage at the last sample; undefined before the first. */
  nodeUsage(): NodeUsage | undefined {
    return this.node;
  }

  /** Takes one sample now (start calls it on its schedule; tests call it directly). */
  sample(): void {
    const time = this.clock.now();
    const containers = this.options.containers();
    const groups = this.readGroups(new Set(containers.map((c) => c.pgid)));
    const next = new Map<string, { container: SampledContainer; usage: ContainerUsage }>();
    let addedCoreNanoSeconds = 0;
    let rssBytes = 0;
    for (const container of containers) {
      const previous = this.usageById.get(container.info.id)?.usage;
      const usage = nextContainerUsage(previous, groups.get(container.pgid) ?? [], time);
      next.set(container.info.id, { container, usage });
      addedCoreNanoSeconds += usage.usageCoreNanoSeconds - (previous?.usageCoreNanoSeconds ?? 0);
      rssBytes += usage.rssBytes;
    }
    this.usageById = next;
    this.node = nextNodeUsage(this.node, addedCoreNanoSeconds, rssBytes, time);
  }

  private tick(): void {
    if (this.stopped) return;
    try {
      this.sample();
    } catch {
      // A sample that fails is skipped: the figures stay those of the last one, the pods run on.
    }
    this.handle = this.timers.setTimeout(() => this.tick(), this.options.resolutionMs);
  }
}

/**
 * The node's cumulative CPU grows by what its containers added in the window, a container seen
 * for the first time by all it used (it started within the window, or the kubelet did).
 */
function nextNodeUsage(
  previous: NodeUsage | undefined,
  addedCoreNanoSeconds: number,
  rssBytes: number,
  time: Date,
): NodeUsage {
  const usageCoreNanoSeconds = (previous?.usageCoreNanoSeconds ?? 0) + addedCoreNanoSeconds;
  const node: NodeUsage = { time, usageCoreNanoSeconds, rssBytes };
  if (!previous) return node;
  const windowMs = time.getTime() - previous.time.getTime();
  if (windowMs <= 0) return { ...node, usageNanoCores: previous.usageNanoCores, windowMs: previous.windowMs };
  return { ...node, usageNanoCores: nanoCores(addedCoreNanoSeconds, windowMs), windowMs };
}
