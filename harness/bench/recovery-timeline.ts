import { isPodReady } from '../../orchestrator/api/pod-helpers.js';
import type { Node, Pod } from '../../orchestrator/api/types.js';

/** Milliseconds from the kill until each step of the recovery was first seen; undefined until then. */
export interface RecoveryMilestones {
  /** The lost node's Ready condition left True (Unknown). */
  detectionMs?: number;
  /** Every pod the node ran at the kill was marked for deletion, or is gone. */
  evictionMs?: number;
  /** The Deployment's desired replicas Running and Ready again, on live nodes only. */
  recoveryMs?: number;
}

export interface RecoveryTimelineOptions {
  lostNode: string;
  /** The names of the Deployment's pods on the lost node when it was killed. */
  lostPods: readonly string[];
  desiredReplicas: number;
  /** When the kill was issued, on the clock `at` arguments use. */
  killedAt: number;
}

/**
 * The recovery from one node loss, told what the cluster looks like as it changes (nodes, and the
 * Deployment's pods) and keeping when each milestone first held. Pure: times come in as
 * arguments. A pod on the lost node does not count as ready however its status reads: its
 * process died with the node, and the API only learns so once the node is found out.
 */
export class RecoveryTimeline {
  private readonly reached: RecoveryMilestones = {};

  constructor(private readonly options: RecoveryTimelineOptions) {}

  observeNode(node: Node, at: number): void {
    if (node.metadata.name !== this.options.lostNode) return;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') this.reached.detectionMs ??= at - this.options.killedAt;
  }

  /** `pods`: every pod of the Deployment now (from an informer's cache). */
  observePods(pods: readonly Pod[], at: number): void {
    const byName = new Map(pods.map((p) => [p.metadata.name!, p]));
    const evicted = this.options.lostPods.every((name) => {
      const pod = byName.get(name);
      return !pod || pod.metadata.deletionTimestamp !== undefined;
    });
    if (evicted) this.reached.evictionMs ??= at - this.options.killedAt;
    if (readyOnLiveNodes(pods, this.options.lostNode) >= this.options.desiredReplicas)
      this.reached.recoveryMs ??= at - this.options.killedAt;
  }

  get milestones(): Readonly<RecoveryMilestones> {
    return this.reached;
  }

  get complete(): boolean {
    const m = this.reached;
    return m.detectionMs !== undefined && m.evictionMs !== undefined && m.recoveryMs !== undefined;
  }
}

/** Pods serving: Running, Ready, not being deleted, and not on the lost node. */
export function readyOnLiveNodes(pods: readonly Pod[], lostNode: string): number {
  return pods.filter(
    (p) =>
      p.spec.nodeName !== undefined &&
      p.spec.nodeName !== lostNode &&
      !p.metadata.deletionTimestamp &&
      p.status?.phase === 'Running' &&
      isPodReady(p),
  ).length;
}
