/**
 * Every interval of the orchestrator in one place. `kubernetes` holds upstream's defaults;
 * `fast` (the harness default) lets a cluster notice and recover from a lost node in seconds.
 * Each field is also a flag of the component that uses it.
 */
export interface TimingProfile {
  /** kubelet: how long a node Lease is valid (--node-lease-duration-seconds). */
  nodeLeaseDurationSeconds: number;
  /** kubelet: how often the node Lease is renewed. */
  nodeLeaseRenewIntervalMs: number;
  /** kubelet: how often node status is posted when nothing changed (--node-status-update-frequency). */
  nodeStatusUpdateFrequencyMs: number;
  /** controller-manager: a node whose Lease was not renewed for this long becomes Unknown. */
  nodeMonitorGracePeriodMs: number;
  /** controller-manager: how often node health is checked (--node-monitor-period). */
  nodeMonitorPeriodMs: number;
  /** apiserver: tolerationSeconds of the default not-ready/unreachable tolerations of every pod. */
  defaultTolerationSeconds: number;
  /** controller-manager: evictions per second from unhealthy nodes (--node-eviction-rate). */
  nodeEvictionRate: number;
  /** Leader election of the scheduler and controller-manager. */
  leaderElection: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  /** Informer resync period; 0 disables periodic resync. */
  resyncMs: number;
  /**
   * etcd's Raft timing (--heartbeat-interval, --election-timeout): how soon a lost leader is
   * replaced, which is how long every linearizable read and write waits when the leader dies.
   */
  etcd: { heartbeatIntervalMs: number; electionTimeoutMs: number };
  /**
   * controller-manager: the HorizontalPodAutoscaler's timing. `syncPeriodMs`: how often each HPA
   * is reconciled (--horizontal-pod-autoscaler-sync-period); `downscaleStabilizationMs`: how long
   * a scale-down waits for the highest recommendation to age out
   * (--horizontal-pod-autoscaler-downscale-stabilization); `cpuInitializationPeriodMs` and
   * `initialReadinessDelayMs`: how long after a pod starts its CPU samples and its readiness are
   * distrusted (--horizontal-pod-autoscaler-cpu-initialization-period,
   * --horizontal-pod-autoscaler-initial-readiness-delay).
   */
  horizontalPodAutoscaler: {
    syncPeriodMs: number;
    downscaleStabilizationMs: number;
    cpuInitializationPeriodMs: number;
    initialReadinessDelayMs: number;
  };
  /**
   * kubelet: how often each container's CPU and memory are sampled; the CPU usage the resource
   * metrics API serves is the rate over the last such window (metrics-server's --metric-resolution).
   */
  resourceMetricsResolutionMs: number;
}

export const TIMING_PROFILES: Readonly<Record<'kubernetes' | 'fast', TimingProfile>> = Object.freeze({
  kubernetes: {
    nodeLeaseDurationSeconds: 40,
    nodeLeaseRenewIntervalMs: 10_000,
    nodeStatusUpdateFrequencyMs: 10_000,
    nodeMonitorGracePeriodMs: 50_000,
    nodeMonitorPeriodMs: 5_000,
    defaultTolerationSeconds: 300,
    nodeEvictionRate: 0.1,
    leaderElection: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    resyncMs: 0,
    etcd: { heartbeatIntervalMs: 100, electionTimeoutMs: 1_000 },
    horizontalPodAutoscaler: {
      syncPeriodMs: 15_000,
      downscaleStabilizationMs: 300_000,
      cpuInitializationPeriodMs: 300_000,
      initialReadinessDelayMs: 30_000,
    },
    resourceMetricsResolutionMs: 15_000,
  },
  fast: {
    nodeLeaseDurationSeconds: 2,
    nodeLeaseRenewIntervalMs: 250,
    nodeStatusUpdateFrequencyMs: 1_000,
    nodeMonitorGracePeriodMs: 1_000,
    nodeMonitorPeriodMs: 100,
    defaultTolerationSeconds: 1,
    nodeEvictionRate: 100,
    leaderElection: { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 250 },
    resyncMs: 0,
    // Members share one machine (well under a millisecond apart): a leader is known lost after
    // 300 ms, not etcd's default second, and the election is over in under half a second. etcd
    // asks for at least five heartbeats per election timeout.
    etcd: { heartbeatIntervalMs: 50, electionTimeoutMs: 300 },
    // Scaled with the metrics' one-second resolution: a load is acted on within seconds, and a
    // scale-down follows five seconds of lower recommendations.
    horizontalPodAutoscaler: {
      syncPeriodMs: 1_000,
      downscaleStabilizationMs: 5_000,
      cpuInitializationPeriodMs: 5_000,
      initialReadinessDelayMs: 1_000,
    },
    // A second is enough for `kubectl top` and an autoscaler to see a load at once, and at 10 ms
    // clock ticks still measures a container's CPU to a hundredth of a core.
    resourceMetricsResolutionMs: 1_000,
  },
});

export type TimingProfileName = keyof typeof TIMING_PROFILES;

export function timingProfile(name: string): TimingProfile {
  if (!Object.hasOwn(TIMING_PROFILES, name)) {
    throw new RangeError(
      `unknown timing profile "${name}": use ${Object.keys(TIMING_PROFILES).join(' or ')}`,
    );
  }
  return TIMING_PROFILES[name as TimingProfileName];
}
