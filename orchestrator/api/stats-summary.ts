/**
 * The kubelet's Summary API (`GET /stats/summary`, k8s.io/kubelet/pkg/apis/stats/v1alpha1), the
 * part of it crucible fills: CPU and memory of the node, of each pod and of each container. The
 * kubelet writes it; the apiserver's resource metrics API reads it.
 */

/** CPU of a container, pod or node at `time`. */
export interface CpuStats {
  /** When the sample was taken (metav1.Time). */
  time: string;
  /**
   * Cores in use, in billionths of a core, averaged over the last sampling window. Absent until
   * the second sample, as cAdvisor leaves it out until it has a rate.
   */
  usageNanoCores?: number;
  /** CPU time used since the start, in core-nanoseconds. */
  usageCoreNanoSeconds: number;
}

/** Memory of a container, pod or node at `time`. */
export interface MemoryStats {
  time: string;
  /** What the kubelet would evict on and what `kubectl top` shows: here, the resident set. */
  workingSetBytes: number;
  rssBytes: number;
  usageBytes: number;
}

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface PodReference {
  name: string;
  namespace: string;
  uid: string;
}

export interface PodStats {
  podRef: PodReference;
  startTime: string;
  containers: ContainerStats[];
  /** The sum of its containers'; absent when none was sampled yet. */
  cpu?: CpuStats;
  memory?: MemoryStats;
}

export interface NodeStats {
  nodeName: string;
  startTime: string;
  /** Absent when nothing on the node was sampled yet. */
  cpu?: CpuStats;
  memory?: MemoryStats;
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

/**
 * The header of a `/stats/summary` answer that gives the length of the window its CPU rates were
 * measured over, in milliseconds. Not upstream (whose Summary has no window: metrics-server
 * measures its own between two scrapes); the apiserver reports it as the metrics' `window`.
 */
export const STATS_WINDOW_HEADER = 'x-crucible-stats-window-ms';
