import type { Logger } from 'pino';
import type { Sabotages } from '../api/sabotage.js';
import { DEFAULT_FILTERS, resourcesFit } from './filters.js';
import { formatTime, type Clock } from '../api/clock.js';
import {
  objectKey,
  WorkQueue,
  type ApiClient,
  type EventRecorder,
  type InformerFactory,
} from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { withCondition } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import type { Node, Pod } from '../api/types.js';
import { NodeInfo } from './node-info.js';
import { selectNode } from './select-node.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

export interface SchedulerOptions {
  client: ApiClient;
  informers: InformerFactory;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  /** Pods whose spec.schedulerName is this are ours (default-scheduler). */
  schedulerName?: string;
  /** Bindings in flight at once: decisions are sequential, binding is not. */
  bindConcurrency?: number;
  random?: () => number;
  /** Known bugs turned on (`--sabotage-*`, orchestrator/api/sabotage.ts); none when absent. */
  sabotages?: Sabotages;
}

/**
 * kube-scheduler: takes unscheduled pods one at a time, filters and scores the nodes, assumes the
 * pod onto the chosen node at once (so the next decision sees it) and binds asynchronously. A
 * failed bind forgets the assumption and retries the pod; a pod that fits nowhere gets
 * PodScheduled=False with the reason and a FailedScheduling event, and is retried when a node
 * or a pod changes.
 */
export class Scheduler {
  private readonly schedulerName: string;
  private readonly queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 5_000 });
  private readonly nodes = new Map<string, NodeInfo>();
  /** Where each bound or assumed pod is accounted, by pod key. */
  private readonly placed = new Map<string, string>();
  private readonly assumed = new Set<string>();
  private readonly unschedulable = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly bindConcurrency: number;

  constructor(private readonly opts: SchedulerOptions) {
    this.schedulerName = opts.schedulerName ?? 'default-scheduler';
    this.bindConcurrency = opts.bindConcurrency ?? 32;
    const nodes = opts.informers.informer<Node>(NODES);
    const pods = opts.informers.informer<Pod>(PODS);
    nodes.addHandlers({
      add: (n) => this.upsertNode(n),
      update: (old, n) => this.upsertNode(n, schedulingRelevant(old) !== schedulingRelevant(n)),
      delete: (n) => this.nodes.delete(n.metadata.name!),
    });
    pods.addHandlers({
      add: (p) => this.onPod(p),
      update: (_o, p) => this.onPod(p),
      delete: (p) => this.forgetPod(objectKey(p), true),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.opts.informers.start();
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    if (!(await this.opts.informers.waitForSync(signal))) return;
    const pods = this.opts.informers.informer<Pod>(PODS);
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        const pod = pods.get(key);
        if (pod && this.isPending(pod) && !this.assumed.has(key)) await this.scheduleOne(pod);
      } catch (e) {
        this.opts.log.warn({ pod: key, err: (e as Error).message }, 'scheduling failed');
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
    await Promise.all(this.inFlight);
  }

  private isPending(pod: Pod): boolean {
    return (
      !pod.spec.nodeName &&
      !pod.metadata.deletionTimestamp &&
      (pod.spec.schedulerName ?? 'default-scheduler') === this.schedulerName &&
      pod.status?.phase !== 'Succeeded' &&
      pod.status?.phase !== 'Failed'
    );
  }

  private upsertNode(node: Node, changed = true): void {
    const info = this.nodes.get(node.metadata.name!);
    if (info) info.node = node;
    else this.nodes.set(node.metadata.name!, new NodeInfo(node));
    if (changed) this.retryUnschedulable();
  }

  private onPod(pod: Pod): void {
    const key = objectKey(pod);
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (pod.spec.nodeName) {
      // Bound: account it on its node (replacing our assumption, if we made one).
      this.assumed.delete(key);
      this.unschedulable.delete(key);
      if (terminal) this.forgetPod(key, true);
      else this.account(key, pod, pod.spec.nodeName);
      return;
    }
    if (this.isPending(pod) && !this.assumed.has(key) && !this.unschedulable.has(key)) this.queue.add(key);
  }

  private account(key: string, pod: Pod, nodeName: string): void {
    const previous = this.placed.get(key);
    if (previous && previous !== nodeName) this.nodes.get(previous)?.removePod(key);
    this.placed.set(key, nodeName);
    // A pod bound to a node we have not seen yet is accounted when the node appears.
    let info = this.nodes.get(nodeName);
    if (!info) {
      info = new NodeInfo({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } });
      this.nodes.set(nodeName, info);
    }
    info.addPod(key, pod);
  }

  private forgetPod(key: string, freed: boolean): void {
    const node = this.placed.get(key);
    if (node) this.nodes.get(node)?.removePod(key);
    this.placed.delete(key);
    this.assumed.delete(key);
    this.unschedulable.delete(key);
    if (freed) this.retryUnschedulable();
  }

  /** Something changed that may make room: give every unschedulable pod another try. */
  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.queue.add(key);
    this.unschedulable.clear();
  }

  private async scheduleOne(pod: Pod): Promise<void> {
    const key = objectKey(pod);
    const ready = [...this.nodes.values()].filter((n) => n.node.status);
    // SABOTAGE schedule-ignoring-requests: no node is ever too full.
    const filters = this.opts.sabotages?.has('schedule-ignoring-requests')
      ? DEFAULT_FILTERS.filter((f) => f !== resourcesFit)
      : DEFAULT_FILTERS;
    const placement = selectNode(pod, ready, { random: this.opts.random, filters });
    if ('unschedulable' in placement) return this.markUnschedulable(pod, placement.unschedulable);
    const node = placement.node.node.metadata.name!;
    this.assumed.add(key);
    this.account(key, pod, node);
    this.queue.forget(key);
    while (this.inFlight.size >= this.bindConcurrency) await Promise.race(this.inFlight);
    const binding = this.bind(pod, key, node).finally(() => this.inFlight.delete(binding));
    this.inFlight.add(binding);
  }

  private async bind(pod: Pod, key: string, node: string): Promise<void> {
    try {
      await this.opts.client.bind(pod.metadata.namespace!, pod.metadata.name!, node, PODS);
      this.opts.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${node}`);
    } catch (e) {
      this.forgetPod(key, false);
      if (isApiError(e, 'NotFound')) return;
      // 409: someone else bound it, or it is being deleted; the informer will tell.
      if (isApiError(e, 'Conflict')) return;
      this.opts.log.warn({ pod: key, node, err: (e as Error).message }, 'binding failed');
      this.queue.addRateLimited(key);
    }
  }

  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const key = objectKey(pod);
    this.unschedulable.add(key);
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.message === message) return;
    const now = formatTime(this.opts.clock.now());
    const conditions = withCondition(
      pod.status?.conditions,
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null },
      now,
    );
    this.opts.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    try {
      await this.opts.client.patch(
        PODS,
        pod.metadata.namespace!,
        pod.metadata.name!,
        { status: { conditions } },
        'merge',
        'status',
      );
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
}

/** What of a node can change a scheduling decision; heartbeats alone do not. */
function schedulingRelevant(node: Node): string {
  return JSON.stringify([
    node.metadata.labels,
    node.spec,
    node.status?.allocatable,
    node.status?.conditions?.map((c) => [c.type, c.status]),
  ]);
}
