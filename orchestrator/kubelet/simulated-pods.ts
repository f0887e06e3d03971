import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { Informer, ReconcileLoop, type ApiClient } from '../api/client/index.js';
import { formatTime, systemClock, type Clock } from '../api/clock.js';
import { isApiError } from '../api/errors.js';
import { withCondition } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import type { Pod, PodStatus } from '../api/types.js';
import { PodIpPool } from './pod-ip-pool.js';

const PODS = findResource('', 'v1', 'pods')!;

/** Where a simulated node is: its own address (the pods' hostIP) and the /24 its pods' addresses come from. */
export interface SimulatedNodeAddresses {
  ip: string;
  podCidr: string;
}

export interface SimulatedPodsOptions {
  client: ApiClient;
  log: Logger;
  /** The simulated nodes by name; pods bound to any other node are not this agent's business. */
  nodes: ReadonlyMap<string, SimulatedNodeAddresses>;
  /** Pods handled at once (each is one status write or one delete). Default 8. */
  workers?: number;
  clock?: Clock;
}

/**
 * The pod half of the simulated nodes, as kwok's: one informer over every bound pod (a kubelet
 * watches only its own node; here one watch serves all the simulated nodes), and for each pod of
 * a simulated node the status a kubelet would report once its containers run — phase Running, the
 * Ready, ContainersReady, Initialized and PodScheduled conditions, a pod IP, every container
 * running — without starting anything. A pod marked for deletion is deleted at once with grace 0
 * and its uid as precondition, which is what the real kubelet does after its containers stopped
 * (here there is nothing to stop). A status is written only when it differs from what the API
 * holds, so a Running pod costs nothing.
 *
 * Pods are never finished: with restartPolicy Never or OnFailure a simulated container runs
 * until its pod is deleted, as a container that never exits would.
 */
export class SimulatedPods {
  private readonly informer: Informer<Pod>;
  private readonly loop: ReconcileLoop;
  private readonly ips = new PodIpPool();
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private running?: Promise<void>;
  private readonly tally = { statusWrites: 0, deletions: 0, failures: 0 };

  constructor(private readonly options: SimulatedPodsOptions) {
    this.clock = options.clock ?? systemClock;
    this.informer = new Informer<Pod>({
      client: options.client,
      resource: PODS,
      fieldSelector: 'spec.nodeName!=',
      onError: (e, source) =>
        options.log.warn({ err: (e as Error).message, source }, 'pod informer error; retrying'),
    });
    this.loop = new ReconcileLoop({
      name: 'simulated-pods',
      workers: options.workers ?? 8,
      reconcile: (key) => this.reconcile(key),
      onError: (key, e) => {
        this.tally.failures++;
        options.log.debug({ pod: key, err: (e as Error).message }, 'pod sync failed; retrying');
      },
    });
    const ours = (pod: Pod) => options.nodes.has(pod.spec.nodeName ?? '');
    this.informer.addHandlers({
      add: (pod) => {
        if (ours(pod)) this.loop.enqueue(pod);
      },
      update: (_old, pod) => {
        if (ours(pod)) this.loop.enqueue(pod);
      },
      delete: (pod) => {
        if (ours(pod)) this.ips.release(pod.spec.nodeName!, pod.metadata.uid!);
      },
    });
  }

  start(): void {
    this.informer.start();
    this.running ??= this.loop.run(this.abort.signal);
  }

  /** Stops watching and writing; safe to call twice. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all([this.informer.stop(), this.running]);
  }

  /** Writes made so far, for the agent's periodic summary. */
  counts(): Readonly<{ statusWrites: number; deletions: number; failures: number }> {
    return { ...this.tally };
  }

  private async reconcile(key: string): Promise<void> {
    const pod = this.informer.get(key);
    const node = pod && this.options.nodes.get(pod.spec.nodeName ?? '');
    if (!pod || !node) return;
    const namespace = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp) {
      try {
        await this.options.client.delete(PODS, namespace, name, {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        });
        this.tally.deletions++;
      } catch (e) {
        // NotFound: already gone; Conflict on the uid precondition: a new pod took the name.
        if (!isApiError(e, 'NotFound') && !isApiError(e, 'Conflict')) throw e;
      }
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const podIp = this.ips.assign(pod.spec.nodeName!, node.podCidr, pod.metadata.uid!, pod.status?.podIP);
    const desired = simulatedPodStatus(pod, node.ip, podIp, formatTime(this.clock.now()));
    if (holds(pod.status ?? {}, desired)) return;
    try {
      await this.options.client.patch(PODS, namespace, name, { status: desired }, 'merge', 'status');
      this.tally.statusWrites++;
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
}

/**
 * The status of `pod` once every container runs and is ready: what the API holds is kept where
 * it still fits (start times, the PodScheduled condition, transition times of unchanged
 * conditions, restart counts), so the same pod gives the same status on every pass.
 */
export function simulatedPodStatus(pod: Pod, hostIp: string, podIp: string, now: string): PodStatus {
  const current = pod.status ?? {};
  const previous = new Map((current.containerStatuses ?? []).map((s) => [s.name, s]));
  let conditions = current.conditions;
  if (!conditions?.some((c) => c.type === 'PodScheduled'))
    conditions = withCondition(conditions, { type: 'PodScheduled', status: 'True' }, now);
  for (const type of ['Initialized', 'ContainersReady', 'Ready'])
    conditions = withCondition(conditions, { type, status: 'True' }, now);
  return {
    phase: 'Running',
    conditions,
    hostIP: hostIp,
    hostIPs: [{ ip: hostIp }],
    podIP: podIp,
    podIPs: [{ ip: podIp }],
    startTime: current.startTime ?? now,
    containerStatuses: pod.spec.containers.map((c) => {
      const before = previous.get(c.name);
      return {
        name: c.name,
        state: { running: { startedAt: before?.state?.running?.startedAt ?? now } },
        lastState: {},
        ready: true,
        started: true,
        restartCount: before?.restartCount ?? 0,
        image: c.image ?? '',
        imageID: `simulated://${c.image ?? ''}`,
        containerID: `simulated://${pod.metadata.uid}/${c.name}`,
      };
    }),
  };
}

/** Whether `current` already says everything `desired` says. */
function holds(current: PodStatus, desired: PodStatus): boolean {
  const held = Object.fromEntries(Object.keys(desired).map((k) => [k, current[k]]));
  return isDeepStrictEqual(JSON.parse(JSON.stringify(held)), JSON.parse(JSON.stringify(desired)));
}
