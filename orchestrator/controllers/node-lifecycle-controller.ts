import { formatTime } from '../api/clock.js';
import { type Informer } from '../api/client/index.js';
import { runEvery, systemTimers } from '../api/client/timer-scheduler.js';
import { isApiError } from '../api/errors.js';
import { isPodActive, isPodReady, withCondition } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import type { Lease, Node, Pod, Taint } from '../api/types.js';
import type { Controller, ControllerContext } from './controller.js';
import { TokenBucket } from '../api/token-bucket.js';
import { evictionDelayMs } from './taint-eviction.js';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

/** When we last saw a node show life: our clock, never the node's (clocks differ). */
interface NodeHealth {
  leaseRenewTime?: string;
  heartbeat?: string;
  probeTimestamp: number;
}

/**
 * Node lifecycle, as kube-controller-manager's: a node whose Lease (or Ready heartbeat) has not
 * changed for node-monitor-grace-period goes Ready=Unknown and gets the unreachable NoExecute
 * taint; its pods are marked not ready at once, so they leave Service endpoints; pods that do
 * not tolerate the taint are evicted at once, those that do after their tolerationSeconds, at
 * most node-eviction-rate per second. When the node reports again the taints go.
 */
export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly leases: Informer<Lease>;
  private readonly health = new Map<string, NodeHealth>();
  private readonly evictions: TokenBucket;

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.informer<Node>(NODES);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.leases = ctx.informers.informer<Lease>(LEASES);
    this.evictions = new TokenBucket(
      ctx.timing.nodeEvictionRate,
      Math.max(1, Math.ceil(ctx.timing.nodeEvictionRate)),
      ctx.clock,
    );
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await runEvery(
      systemTimers,
      this.ctx.timing.nodeMonitorPeriodMs,
      signal,
      () => this.monitor(),
      (e) => this.ctx.log.warn({ controller: this.name, err: e.message }, 'node monitor pass failed'),
    );
  }

  /** One pass over every node: health, taints, pod readiness, evictions. */
  private async monitor(): Promise<void> {
    const now = this.ctx.clock.now().getTime();
    const names = new Set<string>();
    for (const node of this.nodes.list()) {
      const name = node.metadata.name!;
      names.add(name);
      const lease = this.leases.get(`kube-node-lease/${name}`);
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      const health = this.observe(name, lease?.spec?.renewTime, ready?.lastHeartbeatTime, now);
      const silent = now - health.probeTimestamp > this.ctx.timing.nodeMonitorGracePeriodMs;
      if (silent && ready?.status !== 'Unknown') await this.markUnknown(node);
      const status = silent ? 'Unknown' : ready?.status;
      await this.reconcileTaints(node, status);
      if (status !== 'True') await this.markPodsNotReady(name);
      await this.evictIntolerant(name, now);
    }
    for (const name of this.health.keys()) if (!names.has(name)) this.health.delete(name);
  }

  private observe(
    name: string,
    leaseRenewTime: string | undefined,
    heartbeat: string | undefined,
    now: number,
  ): NodeHealth {
    const known = this.health.get(name);
    if (!known || known.leaseRenewTime !== leaseRenewTime || known.heartbeat !== heartbeat) {
      // A node seen for the first time gets a full grace period, as after a controller restart.
      const health = { leaseRenewTime, heartbeat, probeTimestamp: now };
      this.health.set(name, health);
      return health;
    }
    return known;
  }

  private async markUnknown(node: Node): Promise<void> {
    const now = formatTime(this.ctx.clock.now());
    const conditions = (node.status?.conditions ?? []).map((c) =>
      ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].includes(c.type)
        ? {
            ...c,
            status: 'Unknown' as const,
            reason: 'NodeStatusUnknown',
            message: 'Kubelet stopped posting node status.',
            lastTransitionTime: now,
          }
        : c,
    );
    if (!conditions.some((c) => c.type === 'Ready')) {
      conditions.push({
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastTransitionTime: now,
      });
    }
    await this.ignoreGone(
      this.ctx.client.patch(
        NODES,
        '',
        node.metadata.name!,
        { status: { conditions } },
        'strategic',
        'status',
      ),
    );
    this.ctx.recorder.event(
      node,
      'Normal',
      'NodeNotReady',
      `Node ${node.metadata.name} status is now: NodeNotReady`,
    );
  }

  /** Unknown → unreachable taints; False → not-ready taints; True → neither. */
  private async reconcileTaints(node: Node, readyStatus: string | undefined): Promise<void> {
    const wanted =
      readyStatus === 'Unknown' ? UNREACHABLE_TAINT : readyStatus === 'False' ? NOT_READY_TAINT : undefined;
    const taints = node.spec?.taints ?? [];
    const ours = (t: Taint) => t.key === UNREACHABLE_TAINT || t.key === NOT_READY_TAINT;
    const kept = taints.filter((t) => !ours(t) || t.key === wanted);
    // Milliseconds kept (still RFC 3339): with toleration of a second, truncating would evict early.
    const now = this.ctx.clock.now().toISOString();
    const next = [...kept];
    for (const effect of ['NoSchedule', 'NoExecute'] as const) {
      if (wanted && !kept.some((t) => t.key === wanted && t.effect === effect)) {
        next.push({ key: wanted, effect, ...(effect === 'NoExecute' ? { timeAdded: now } : {}) });
      }
    }
    if (next.length === taints.length && next.every((t, i) => t === taints[i])) return;
    await this.ignoreGone(this.ctx.client.patch(NODES, '', node.metadata.name!, { spec: { taints: next } }));
  }

  /** Pods on a node that stopped answering are not ready any more: endpoints drop them now. */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    const now = formatTime(this.ctx.clock.now());
    const ready = this.pods.byIndex('node', nodeName).filter((p) => isPodActive(p) && isPodReady(p));
    await Promise.all(
      ready.map((pod) => {
        const conditions = withCondition(
          pod.status?.conditions,
          { type: 'Ready', status: 'False', reason: 'NodeNotReady', message: 'Node is not ready' },
          now,
        );
        return this.ignoreGone(
          this.ctx.client.patch(
            PODS,
            pod.metadata.namespace!,
            pod.metadata.name!,
            { status: { conditions } },
            'merge',
            'status',
          ),
        );
      }),
    );
  }

  /** The NoExecute taint manager: evicts what does not tolerate the node's NoExecute taints (in time). */
  private async evictIntolerant(nodeName: string, now: number): Promise<void> {
    const node = this.nodes.get(nodeName);
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (taints.length === 0) return;
    for (const pod of this.pods.byIndex('node', nodeName)) {
      if (pod.metadata.deletionTimestamp) continue;
      const delay = evictionDelayMs(pod, taints, now);
      // SABOTAGE evict-ignoring-toleration-seconds: a toleration that runs out is taken as none.
      const atOnce = this.ctx.sabotages?.has('evict-ignoring-toleration-seconds') ?? false;
      if (delay === undefined || (delay > 0 && !atOnce)) continue;
      if (!this.evictions.take()) return;
      this.ctx.recorder.event(
        pod,
        'Normal',
        'TaintManagerEviction',
        `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`,
      );
      await this.ignoreGone(
        this.ctx.client.delete(PODS, pod.metadata.namespace!, pod.metadata.name!, {
          preconditions: { uid: pod.metadata.uid },
        }),
      );
    }
  }

  private async ignoreGone<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      if (isApiError(e, 'NotFound') || isApiError(e, 'Conflict')) return undefined;
      throw e;
    }
  }
}
