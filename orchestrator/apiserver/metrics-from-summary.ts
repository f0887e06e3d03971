import { formatTime } from '../api/clock.js';
import { formatDuration } from '../api/duration.js';
import { Quantity } from '../api/quota/index.js';
import {
  METRICS_API_VERSION,
  type ContainerMetrics,
  type NodeMetrics,
  type PodMetrics,
  type ResourceUsage,
} from '../api/resource-metrics.js';
import type { CpuStats, MemoryStats, NodeStats, PodStats } from '../api/stats-summary.js';
import type { Node, ObjectMeta, Pod } from '../api/types.js';

/**
 * The PodMetrics of `pod` from its kubelet's stats, or undefined when they do not make one: no
 * stats for this pod (this uid: a pod recreated under the same name is another pod), no container
 * sampled, or a container without a CPU rate or memory yet. A pod with partial figures is left out
 * whole, as metrics-server leaves it out: an autoscaler treats a missing pod specially, and a
 * missing container would look like an idle one.
 */
export function podMetricsFromSummary(
  pod: Pod,
  stats: PodStats | undefined,
  windowMs: number | undefined,
  now: Date,
): PodMetrics | undefined {
  if (!stats || windowMs === undefined || stats.podRef.uid !== pod.metadata.uid) return undefined;
  if (stats.containers.length === 0) return undefined;
  const containers: ContainerMetrics[] = [];
  for (const c of stats.containers) {
    const usage = usageOf(c.cpu, c.memory);
    if (!usage) return undefined;
    containers.push({ name: c.name, usage });
  }
  const times = stats.containers.map((c) => c.cpu.time).sort();
  return {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: metadataOf(pod.metadata, now),
    timestamp: stats.cpu?.time ?? times.at(-1)!,
    window: formatDuration(windowMs),
    containers,
  };
}

/** The NodeMetrics of `node` from its kubelet's stats, or undefined before it has a CPU rate. */
export function nodeMetricsFromSummary(
  node: Node,
  stats: NodeStats,
  windowMs: number | undefined,
  now: Date,
): NodeMetrics | undefined {
  const usage = usageOf(stats.cpu, stats.memory);
  if (!usage || windowMs === undefined) return undefined;
  return {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: metadataOf(node.metadata, now),
    timestamp: stats.cpu!.time,
    window: formatDuration(windowMs),
    usage,
  };
}

/** CPU in nanocores (`12345678n`, or `12m` when exact), memory in bytes (`1236Ki`), as metrics-server prints them. */
function usageOf(cpu: CpuStats | undefined, memory: MemoryStats | undefined): ResourceUsage | undefined {
  if (cpu?.usageNanoCores === undefined || memory?.workingSetBytes === undefined) return undefined;
  return { cpu: cpuQuantity(cpu.usageNanoCores), memory: memoryQuantity(memory.workingSetBytes) };
}

export function cpuQuantity(nanoCores: number): string {
  return Quantity.parse(`${Math.max(0, Math.round(nanoCores))}n`)!.toString();
}

/** Bytes as a binary quantity: the largest exact binary suffix, plain bytes when none is exact. */
export function memoryQuantity(bytes: number): string {
  const whole = Math.max(0, Math.round(bytes));
  return whole % 1024 === 0 ? Quantity.parse(`${whole / 1024}Ki`)!.toString() : String(whole);
}

/** name, namespace and labels of the object measured; creationTimestamp is when this was read. */
function metadataOf(meta: ObjectMeta, now: Date): ObjectMeta {
  return {
    name: meta.name ?? '',
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    creationTimestamp: formatTime(now),
    ...(meta.labels && Object.keys(meta.labels).length ? { labels: { ...meta.labels } } : {}),
  };
}
