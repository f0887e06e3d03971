import { isDeepStrictEqual } from 'node:util';
import { type ReconcileLoop, objectKey, type Informer } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import {
  controllerOf,
  controllerOwnerReference,
  isPodActive,
  isPodAvailable,
  isPodReady,
} from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import type { Pod, ReplicaSet, WorkloadStatus } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';
import { adopt, release } from './controller-ref.js';
import { Expectations } from './expectations.js';
import { deleteActivePods } from './pod-deletions.js';
import { podFromTemplate } from './pod-from-template.js';
import { handleOwnersAndPods } from './owned-pod-handlers.js';

const PODS = findResource('', 'v1', 'pods')!;
const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;
/** At most this many creations or deletions per reconcile, as kube-controller-manager's burstReplicas. */
const BURST_REPLICAS = 500;
/** Creations start with one and double per successful batch, so a failing template costs one request. */
const SLOW_START_INITIAL_BATCH = 1;

/**
 * Keeps the number of active pods of each ReplicaSet at spec.replicas: adopts matching orphans,
 * releases pods whose labels no longer match, creates and deletes with expectations so that a
 * lagging cache never causes a second creation, and writes status last.
 */
export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  private readonly loop: ReconcileLoop;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly expectations: Expectations;

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new Expectations(ctx.clock);
    this.replicaSets = ctx.informers.informer<ReplicaSet>(REPLICASETS);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    handleOwnersAndPods(this.replicaSets, this.pods, this.loop, this.expectations, {
      ownerKey: (pod) => this.ownerKey(pod),
      enqueueFor: (pod) => this.enqueueFor(pod),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  /** The key of the ReplicaSet controlling `pod`, if one does. */
  private ownerKey(pod: Pod): string | undefined {
    const ref = controllerOf(pod);
    return ref?.kind === 'ReplicaSet' ? `${pod.metadata.namespace}/${ref.name}` : undefined;
  }

  /** A pod event concerns its controller, or, for an orphan, every ReplicaSet that could adopt it. */
  private enqueueFor(pod: Pod): void {
    const owner = this.ownerKey(pod);
    if (owner) return this.loop.enqueue(owner);
    if (controllerOf(pod)) return;
    for (const rs of this.replicaSets.byIndex('namespace', pod.metadata.namespace ?? '')) {
      if (labelSelectorFromObject(rs.spec.selector).matches(pod.metadata.labels)) this.loop.enqueue(rs);
    }
  }

  private async reconcile(key: string): Promise<void> {
    const rs = this.replicaSets.get(key);
    if (!rs) {
      this.expectations.forget(key);
      return;
    }
    const pods = await this.claimPods(rs);
    const active = pods.filter(isPodActive);
    // SABOTAGE replicaset-without-expectations: the cache alone, however far behind, decides.
    const blind = this.ctx.sabotages?.has('replicaset-without-expectations') ?? false;
    if ((blind || this.expectations.satisfied(key)) && !rs.metadata.deletionTimestamp) {
      const diff = active.length - (rs.spec.replicas ?? 1);
      if (diff < 0) await this.createPods(rs, Math.min(-diff, BURST_REPLICAS));
      else if (diff > 0)
        await deleteActivePods(this.ctx, this.expectations, rs, active, Math.min(diff, BURST_REPLICAS));
    }
    await this.updateStatus(rs, active);
  }

  /**
   * The pods this ReplicaSet owns after adoption and release (controller-runtime's
   * ClaimPods): matching orphans are adopted, owned pods that stopped matching are released.
   */
  private async claimPods(rs: ReplicaSet): Promise<Pod[]> {
    const selector = labelSelectorFromObject(rs.spec.selector);
    const owned: Pod[] = [];
    for (const pod of this.pods.byIndex('namespace', rs.metadata.namespace ?? '')) {
      const ref = controllerOf(pod);
      const matches = selector.matches(pod.metadata.labels);
      if (ref?.uid === rs.metadata.uid) {
        if (matches) owned.push(pod);
        else await this.release(rs, pod);
      } else if (
        !ref &&
        matches &&
        !rs.metadata.deletionTimestamp &&
        !pod.metadata.deletionTimestamp &&
        isPodActive(pod)
      ) {
        if (await this.adopt(rs, pod)) owned.push(pod);
      }
    }
    return owned;
  }

  private async adopt(rs: ReplicaSet, pod: Pod): Promise<boolean> {
    // Adopt only if this very ReplicaSet still exists: a cache may hold a deleted one.
    const live = await this.ctx.client.tryGet<ReplicaSet>(
      REPLICASETS,
      rs.metadata.namespace!,
      rs.metadata.name!,
    );
    if (!live || live.metadata.uid !== rs.metadata.uid || live.metadata.deletionTimestamp) return false;
    return adopt(this.ctx.client, PODS, pod, controllerOwnerReference(rs, REPLICASETS));
  }

  private release(rs: ReplicaSet, pod: Pod): Promise<void> {
    return release(this.ctx.client, PODS, pod, rs.metadata.uid!);
  }

  private async createPods(rs: ReplicaSet, count: number): Promise<void> {
    const key = objectKey(rs);
    this.expectations.expectCreations(key, count);
    let remaining = count;
    let created = 0;
    for (let batch = SLOW_START_INITIAL_BATCH; remaining > 0; batch *= 2) {
      const size = Math.min(batch, remaining);
      const results = await Promise.allSettled(Array.from({ length: size }, () => this.createPod(rs)));
      const failures = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      created += size - failures.length;
      remaining -= size;
      if (failures.length > 0) {
        // Pods never created will never be observed: lower the expectations by them and the skipped rest.
        for (let i = 0; i < failures.length + remaining; i++) this.expectations.creationObserved(key);
        const reason = (failures[0]!.reason as Error).message;
        this.ctx.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${reason}`);
        throw failures[0]!.reason;
      }
    }
    this.ctx.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created ${created} pod(s)`);
  }

  private async createPod(rs: ReplicaSet): Promise<void> {
    await this.ctx.client.create(PODS, podFromTemplate(rs, REPLICASETS, rs.spec.template!));
  }

  private async updateStatus(rs: ReplicaSet, active: Pod[]): Promise<void> {
    const now = this.ctx.clock.now().getTime();
    const templateLabels = rs.spec.template?.metadata?.labels ?? {};
    const status: WorkloadStatus = {
      ...rs.status,
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) =>
        Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
      ).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, rs.spec.minReadySeconds ?? 0, now)).length,
      observedGeneration: rs.metadata.generation,
    };
    if (isDeepStrictEqual(status, rs.status)) return;
    try {
      await this.ctx.client.updateStatus(REPLICASETS, { ...rs, status });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
    // A pod turning available after minReadySeconds changes nothing the informer sees: look again then.
    if (rs.spec.minReadySeconds && status.readyReplicas !== status.availableReplicas) {
      this.loop.queue.addAfter(objectKey(rs), rs.spec.minReadySeconds * 1000);
    }
  }
}
