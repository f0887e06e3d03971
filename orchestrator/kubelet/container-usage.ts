import type { ProcessSample } from './process-groups.js';

/**
 * Core-nanoseconds per clock tick of /proc/<pid>/stat: its times are in USER_HZ, which Linux
 * fixes at 100 for user space whatever the kernel's own tick rate.
 */
export const NANOSECONDS_PER_TICK = 10_000_000;
const NANOSECONDS_PER_MS = 1_000_000;
const NANOCORES_PER_CORE = 1_000_000_000;

/** A container's CPU and memory as of one sample, and what the next sample needs of it. */
export interface ContainerUsage {
  time: Date;
  /** CPU time of the container's processes since it started, cumulative, in core-nanoseconds. */
  usageCoreNanoSeconds: number;
  /**
   * Cores in use over the window since the previous sample, in billionths of a core (cAdvisor's
   * usageNanoCores); undefined at the first sample, which has nothing to compare with.
   */
  usageNanoCores?: number;
  /** The length of that window. */
  windowMs?: number;
  /** Resident memory of the container's processes, summed. */
  rssBytes: number;
  /** CPU ticks of each process counted so far, by `pid/startTicks`. */
  processTicks: ReadonlyMap<string, number>;
}

/**
 * The container's usage at `time` from its processes now and its usage at the previous sample.
 *
 * The cumulative figure only grows: each process adds what it used since it was last seen, a
 * process seen for the first time adds all it used (it started within the window, or the
 * container did). A process that exits between two samples takes with it what it used since the
 * last one, and one that starts and ends between two samples is never seen: a cgroup would count
 * both, a process table cannot. The rate is the growth of the cumulative figure over the window.
 */
export function nextContainerUsage(
  previous: ContainerUsage | undefined,
  processes: readonly ProcessSample[],
  time: Date,
): ContainerUsage {
  const processTicks = new Map<string, number>();
  let addedTicks = 0;
  let rssBytes = 0;
  for (const p of processes) {
    const key = `${p.pid}/${p.startTicks}`;
    const before = previous?.processTicks.get(key) ?? 0;
    // A process's times never go back; the guard keeps a misread from making the total shrink.
    addedTicks += Math.max(0, p.cpuTicks - before);
    processTicks.set(key, Math.max(p.cpuTicks, before));
    rssBytes += p.rssBytes;
  }
  const usageCoreNanoSeconds = (previous?.usageCoreNanoSeconds ?? 0) + addedTicks * NANOSECONDS_PER_TICK;
  const usage: ContainerUsage = { time, usageCoreNanoSeconds, rssBytes, processTicks };
  if (!previous) return usage;
  const windowMs = time.getTime() - previous.time.getTime();
  if (windowMs <= 0) {
    // No time passed (a clock step back): keep the last rate rather than divide by nothing.
    return {
      ...usage,
      ...(previous.usageNanoCores !== undefined ? { usageNanoCores: previous.usageNanoCores } : {}),
      ...(previous.windowMs !== undefined ? { windowMs: previous.windowMs } : {}),
    };
  }
  return {
    ...usage,
    usageNanoCores: nanoCores(usageCoreNanoSeconds - previous.usageCoreNanoSeconds, windowMs),
    windowMs,
  };
}

/** The rate of `coreNanoSeconds` used over `windowMs`, in whole billionths of a core. */
export function nanoCores(coreNanoSeconds: number, windowMs: number): number {
  return Math.round((coreNanoSeconds / (windowMs * NANOSECONDS_PER_MS)) * NANOCORES_PER_CORE);
}
