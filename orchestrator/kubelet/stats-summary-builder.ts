import { formatTime } from '../api/clock.js';
import type { ContainerStats, CpuStats, MemoryStats, PodStats, Summary } from '../api/stats-summary.js';
import type { Pod } from '../api/types.js';
import type { ContainerUsage } from './container-usage.js';
import type { NodeUsage, SampledContainer } from './resource-usage-sampler.js';

/** What a kubelet knows when it is asked for its Summary. */
export interface SummaryInputs {
  nodeName: string;
  /** When the kubelet started: the node's startTime (upstream's is the machine's boot). */
  startedAt: Date;
  /** The pods it runs, each with the status it sees. */
  pods: readonly Pod[];
  /** The latest usage of each container sampled. */
  containers: readonly { container: SampledContainer; usage: ContainerUsage }[];
  node: NodeUsage | undefined;
}

/**
 * The kubelet's `/stats/summary`: every pod it runs, with the containers that were sampled (in the
 * pod's order), each pod's CPU and memory the sum of its containers', and the node's the sum of
 * all of them. A pod none of whose containers was sampled yet is listed without usage, as the
 * real kubelet lists a pod cAdvisor does not know yet.
 */
export function buildStatsSummary(inputs: SummaryInputs): Summary {
  const byPod = new Map<string, { container: SampledContainer; usage: ContainerUsage }[]>();
  for (const sampled of inputs.containers) {
    const uid = sampled.container.info.podUid;
    byPod.set(uid, [...(byPod.get(uid) ?? []), sampled]);
  }
  const pods = inputs.pods.map((pod): PodStats => {
    const order = pod.spec.containers.map((c) => c.name);
    const sampled = (byPod.get(pod.metadata.uid ?? '') ?? []).sort(
      (a, b) => order.indexOf(a.container.info.containerName) - order.indexOf(b.container.info.containerName),
    );
    const containers = sampled.map(({ container, usage }): ContainerStats => ({
      name: container.info.containerName,
      startTime: formatTime(container.info.startedAt),
      cpu: cpuStats(usage),
      memory: memoryStats(usage),
    }));
    return {
      podRef: {
        name: pod.metadata.name ?? '',
        namespace: pod.metadata.namespace ?? '',
        uid: pod.metadata.uid ?? '',
      },
      startTime: pod.status?.startTime ?? formatTime(inputs.startedAt),
      containers,
      ...summed(sampled.map((s) => s.usage)),
    };
  });
  const node = inputs.node;
  return {
    node: {
      nodeName: inputs.nodeName,
      startTime: formatTime(inputs.startedAt),
      ...(node ? { cpu: cpuStats(node), memory: memoryStats(node) } : {}),
    },
    pods,
  };
}

type Usage = Pick<ContainerUsage, 'time' | 'usageCoreNanoSeconds' | 'usageNanoCores' | 'rssBytes'>;

function cpuStats(usage: Usage): CpuStats {
  return {
    time: formatTime(usage.time),
    ...(usage.usageNanoCores !== undefined ? { usageNanoCores: usage.usageNanoCores } : {}),
    usageCoreNanoSeconds: usage.usageCoreNanoSeconds,
  };
}

function memoryStats(usage: Usage): MemoryStats {
  return {
    time: formatTime(usage.time),
    workingSetBytes: usage.rssBytes,
    rssBytes: usage.rssBytes,
    usageBytes: usage.rssBytes,
  };
}

/** A pod's CPU and memory: its containers' summed; a rate only when every container has one. */
function summed(usages: readonly Usage[]): Pick<PodStats, 'cpu' | 'memory'> {
  if (usages.length === 0) return {};
  const latest = usages.reduce((a, b) => (a.time >= b.time ? a : b)).time;
  const rated = usages.every((u) => u.usageNanoCores !== undefined);
  const total: Usage = {
    time: latest,
    usageCoreNanoSeconds: usages.reduce((sum, u) => sum + u.usageCoreNanoSeconds, 0),
    ...(rated ? { usageNanoCores: usages.reduce((sum, u) => sum + u.usageNanoCores!, 0) } : {}),
    rssBytes: usages.reduce((sum, u) => sum + u.rssBytes, 0),
  };
  return { cpu: cpuStats(total), memory: memoryStats(total) };
}
