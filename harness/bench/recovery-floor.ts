import type { TimingProfile } from '../../orchestrator/api/timing-profile.js';

/** The intervals that decide how soon a lost node's pods are evicted. */
export type NodeLossTiming = Pick<
  TimingProfile,
  'nodeMonitorGracePeriodMs' | 'nodeMonitorPeriodMs' | 'defaultTolerationSeconds' | 'nodeLeaseRenewIntervalMs'
>;

/**
 * What the configuration alone allows between a node's death and its pods' eviction, in ms from
 * the kill, following the node lifecycle controller: every nodeMonitorPeriod a pass notes when it
 * first saw each node's Lease renewed, and marks Unknown (adding the unreachable NoExecute taint)
 * a node whose Lease it has seen unchanged for longer than nodeMonitorGracePeriod; later passes
 * evict the pods once their default toleration of that taint (defaultTolerationSeconds) ran out.
 */
export interface ConfiguredNodeLoss {
  /**
   * The soonest a lost node can be marked Unknown: its silence counts from its last renewal,
   * which may precede the kill by up to one renew interval — grace − renew interval.
   */
  earliestDetectionMs: number;
  /**
   * The latest, apart from watch delays: the last renewal just before the kill, seen one pass
   * late, and Unknown decided one pass after the grace ran out — grace + 2 monitor periods.
   */
  latestDetectionMs: number;
  /** The soonest the pods can be evicted: earliest detection + the toleration. */
  earliestEvictionMs: number;
}

export function configuredNodeLoss(timing: NodeLossTiming): ConfiguredNodeLoss {
  const earliestDetectionMs = timing.nodeMonitorGracePeriodMs - timing.nodeLeaseRenewIntervalMs;
  return {
    earliestDetectionMs,
    latestDetectionMs: timing.nodeMonitorGracePeriodMs + 2 * timing.nodeMonitorPeriodMs,
    earliestEvictionMs: earliestDetectionMs + timing.defaultTolerationSeconds * 1000,
  };
}

/**
 * DESIGN.md §5's floor of recovery from a node loss: the soonest eviction the configuration
 * allows, plus one pod start (create → Running and Ready, measured in the same run) for the
 * replacement. No recovery can be faster without changing the configuration; what it takes
 * beyond this is the orchestrator's own cost.
 */
export function recoveryFloorMs(configured: ConfiguredNodeLoss, podStartMs: number): number {
  return configured.earliestEvictionMs + podStartMs;
}
