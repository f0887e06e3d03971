import { isDeepStrictEqual } from 'node:util';
import { formatTime } from '../api/clock.js';
import { type ReconcileLoop, objectKey, type Informer } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { controllerOf, controllerOwnerReference, isPodActive } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import type { Deployment, OwnerReference, Pod, ReplicaSet, WorkloadStatus } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';
import { adopt, release } from './controller-ref.js';
import {
  REVISION_ANNOTATION,
  maxRevision,
  newReplicaSetAnnotations,
  withReplicasAnnotations,
} from './deployment-annotations.js';
import {
  activeReplicaSets,
  findNewReplicaSet,
  isRollingUpdate,
  isScalingEvent,
  maxSurge,
  newReplicaSetReplicas,
  oldReplicaSets,
  planCleanup,
  planNewReplicaSetScale,
  planOldReplicaSetsScaleDown,
  planProportionalScale,
  specReplicas,
  statusCount,
} from './deployment-rollout.js';
import {
  PROGRESSING,
  Reason,
  calculateStatus,
  deploymentComplete,
  getCondition,
  hasProgressDeadline,
  newCondition,
  progressRecheckDelay,
  rolloutStatus,
  setCondition,
  withPausedCondition,
} from './deployment-status.js';
import { POD_TEMPLATE_HASH_LABEL, computePodTemplateHash, equalIgnoreHash } from './pod-template-hash.js';

const PODS = findResource('', 'v1', 'pods')!;
const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;

/** What one sync of one Deployment found and has decided so far. */
interface SyncState {
  /** The Deployment as the cache holds it (frozen). */
  readonly d: Deployment;
  /** The status as this sync sees it: the stored one plus the conditions set along the way. */
  status: WorkloadStatus;
  /** The revision annotation the Deployment should carry, written after its status. */
  revision?: string;
  /** The ReplicaSets it owns after adoption and release. */
  readonly replicaSets: ReplicaSet[];
  /** Their pods, active or not, by ReplicaSet uid. */
  readonly pods: ReadonlyMap<string, Pod[]>;
}

/**
 * Rolls Deployments out over ReplicaSets named `<deployment>-<pod-template-hash>`, with
 * Kubernetes' semantics: adopts matching orphan ReplicaSets and releases non-matching ones;
 * RollingUpdate within maxSurge and maxUnavailable, Recreate with no overlap of old and new pods;
 * proportional scaling when spec.replicas changes mid-rollout or while paused; revisions,
 * rollback by template (an old ReplicaSet whose template matches is scaled up again, not
 * recreated), revisionHistoryLimit cleanup; and a status with the Progressing and Available
 * conditions that `kubectl rollout status` reads, written last and only when it changed.
 */
export class DeploymentController implements Controller {
  readonly name = 'deployment';
  private readonly loop: ReconcileLoop;
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  /**
   * ReplicaSets this controller updated, by uid, with the resourceVersion each update replaced:
   * while the cache still holds that version it is behind this controller's own writes.
   */
  private readonly superseded = new Map<string, string>();

  constructor(private readonly ctx: ControllerContext) {
    this.deployments = ctx.informers.informer<Deployment>(DEPLOYMENTS);
    this.replicaSets = ctx.informers.informer<ReplicaSet>(REPLICASETS);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    this.deployments.addHandlers({
      add: (d) => this.loop.enqueue(d),
      update: (_old, d) => this.loop.enqueue(d),
      delete: (d) => this.loop.enqueue(d),
    });
    this.replicaSets.addHandlers({
      add: (rs) => this.enqueueForReplicaSet(rs),
      update: (old, rs) => {
        if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
        const ownerChanged = controllerOf(old)?.uid !== controllerOf(rs)?.uid;
        if (ownerChanged) this.enqueueOwner(old);
        if (controllerOf(rs)) return this.enqueueOwner(rs);
        if (ownerChanged || !isDeepStrictEqual(old.metadata.labels, rs.metadata.labels))
          this.enqueueForReplicaSet(rs);
      },
      delete: (rs) => {
        this.superseded.delete(rs.metadata.uid ?? '');
        this.enqueueOwner(rs);
      },
    });
    // Pods tell of availability and, for Recreate, of old pods gone.
    this.pods.addHandlers({
      add: (pod) => this.enqueueForPod(pod),
      update: (old, pod) => {
        this.enqueueForPod(pod);
        if (controllerOf(old)?.uid !== controllerOf(pod)?.uid) this.enqueueForPod(old);
      },
      delete: (pod) => this.enqueueForPod(pod),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  /** The Deployment a controller reference names, if it is still that very Deployment. */
  private resolveOwner(namespace: string, ref: OwnerReference | undefined): Deployment | undefined {
    if (ref?.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(`${namespace}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueOwner(rs: ReplicaSet): void {
    const d = this.resolveOwner(rs.metadata.namespace ?? '', controllerOf(rs));
    if (d) this.loop.enqueue(d);
  }

  /** A ReplicaSet concerns its controller, or, for an orphan, every Deployment that could adopt it. */
  private enqueueForReplicaSet(rs: ReplicaSet): void {
    if (controllerOf(rs)) return this.enqueueOwner(rs);
    if (rs.metadata.deletionTimestamp) return;
    for (const d of this.deployments.byIndex('namespace', rs.metadata.namespace ?? '')) {
      const selector = labelSelectorFromObject(d.spec.selector);
      if (!selector.matchesEverything && selector.matches(rs.metadata.labels)) this.loop.enqueue(d);
    }
  }

  /** A pod concerns the Deployment of the ReplicaSet controlling it. */
  private enqueueForPod(pod: Pod): void {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
    if (rs?.metadata.uid === ref.uid) this.enqueueOwner(rs);
  }

  private async reconcile(key: string): Promise<void> {
    const d = this.deployments.get(key);
    if (!d) return;
    if (labelSelectorFromObject(d.spec.selector).matchesEverything) return this.refuseSelectingAll(d);

    const replicaSets = await this.claimReplicaSets(d);
    // Sizes decided on a cache older than the last resize would undo or repeat it; its update event comes next.
    if (this.cacheIsBehind(replicaSets)) return;
    const s: SyncState = {
      d,
      status: d.status ?? {},
      replicaSets,
      pods: this.podsByReplicaSet(d, replicaSets),
    };
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await this.newAndOldReplicaSets(s);
      return this.finish(s, calculateStatus(d, s.status, [...oldRSs, newRS], newRS, this.now()));
    }
    s.status = withPausedCondition(d, s.status, this.now());

    const { newRS, oldRSs } = await this.newAndOldReplicaSets(s);
    if (d.spec.paused || isScalingEvent(d, [...oldRSs, newRS])) return this.sync(s, newRS, oldRSs);
    if (isRollingUpdate(d)) return this.rolloutRolling(s, newRS, oldRSs);
    return this.rolloutRecreate(s, newRS, oldRSs);
  }

  /** An empty selector would take every pod of the namespace: Kubernetes refuses to act on it. */
  private async refuseSelectingAll(d: Deployment): Promise<void> {
    this.ctx.recorder.event(
      d,
      'Warning',
      'SelectingAll',
      'This deployment is selecting all pods. A non-empty selector is required.',
    );
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
      await this.writeStatus(d, { ...d.status, observedGeneration: d.metadata.generation });
    }
  }

  /**
   * A scaling event or a paused Deployment (Kubernetes' sync): sizes change in proportion, no
   * rollout step is taken, and a paused Deployment's surplus history is cleaned up.
   */
  private async sync(s: SyncState, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    for (const step of planProportionalScale(s.d, newRS, oldRSs))
      await this.scaleReplicaSet(s, step.rs, step.replicas);
    if (s.d.spec.paused) await this.cleanup(s, oldRSs);
    await this.finish(s, calculateStatus(s.d, s.status, [...oldRSs, newRS], newRS, this.now()));
  }

  /**
   * One step of a rolling update: grow the new ReplicaSet within the surge, else shrink old ones
   * within the unavailability budget, else (rollout done) clean up the history.
   */
  private async rolloutRolling(
    s: SyncState,
    existingNewRS: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
  ): Promise<void> {
    const newRS = existingNewRS ?? (await this.createNewReplicaSet(s, oldRSs));
    const allRSs = [...oldRSs, newRS];
    const target = planNewReplicaSetScale(s.d, allRSs, newRS, this.presentPods(s));
    if (target !== specReplicas(newRS)) {
      await this.scaleReplicaSet(s, newRS, target);
      return this.finishRollout(s, allRSs, newRS);
    }
    const steps = planOldReplicaSetsScaleDown(s.d, allRSs, activeReplicaSets(oldRSs), newRS);
    for (const step of steps) await this.scaleReplicaSet(s, step.rs, step.replicas);
    if (steps.length === 0 && deploymentComplete(s.d, s.d.status ?? {})) await this.cleanup(s, oldRSs);
    return this.finishRollout(s, allRSs, newRS);
  }

  /**
   * One step of a Recreate rollout: scale every old ReplicaSet to 0, wait until none of their
   * pods is left running, and only then create or grow the new ReplicaSet.
   */
  private async rolloutRecreate(
    s: SyncState,
    existingNewRS: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
  ): Promise<void> {
    let newRS = existingNewRS;
    const active = activeReplicaSets(oldRSs);
    for (const rs of active) await this.scaleReplicaSet(s, rs, 0);
    if (active.length > 0 || this.oldPodsRunning(s, newRS, oldRSs)) {
      return this.finishRollout(s, [...oldRSs, newRS], newRS);
    }
    newRS ??= await this.createNewReplicaSet(s, oldRSs);
    if (specReplicas(newRS) !== specReplicas(s.d)) await this.scaleReplicaSet(s, newRS, specReplicas(s.d));
    if (deploymentComplete(s.d, s.d.status ?? {})) await this.cleanup(s, oldRSs);
    return this.finishRollout(s, [...oldRSs, newRS], newRS);
  }

  private cacheIsBehind(replicaSets: ReplicaSet[]): boolean {
    let behind = false;
    for (const rs of replicaSets) {
      const replaced = this.superseded.get(rs.metadata.uid!);
      if (replaced === undefined) continue;
      if (rs.metadata.resourceVersion === replaced) behind = true;
      else this.superseded.delete(rs.metadata.uid!);
    }
    return behind;
  }

  /** An update of a ReplicaSet, remembered until the cache has moved past the version it replaced. */
  private async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const updated = await this.ctx.client.update<ReplicaSet>(REPLICASETS, rs);
    this.superseded.set(rs.metadata.uid!, rs.metadata.resourceVersion!);
    return updated;
  }

  /** Whether an old ReplicaSet reports pods or any pod of one is not finished (Kubernetes' oldPodsRunning). */
  private oldPodsRunning(s: SyncState, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (statusCount(oldRSs, 'replicas') > 0) return true;
    for (const [uid, pods] of s.pods) {
      if (uid === newRS?.metadata.uid) continue;
      if (pods.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return true;
    }
    return false;
  }

  /**
   * The ReplicaSet running the current template (undefined if none does yet) and the others,
   * with the new one's revision raised above the old ones and the Deployment's own annotations
   * copied onto it (Kubernetes' getAllReplicaSetsAndSyncRevision without creation).
   */
  private async newAndOldReplicaSets(
    s: SyncState,
  ): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const found = findNewReplicaSet(s.d, s.replicaSets);
    const oldRSs = oldReplicaSets(s.replicaSets, found);
    if (!found) return { newRS: undefined, oldRSs };
    const annotations = newReplicaSetAnnotations(s.d, found.metadata.annotations, maxRevision(oldRSs) + 1);
    if (annotations || (found.spec.minReadySeconds ?? 0) !== (s.d.spec.minReadySeconds ?? 0)) {
      // The Deployment's revision follows from this ReplicaSet's once the update is seen.
      const newRS = await this.updateReplicaSet({
        ...found,
        metadata: { ...found.metadata, annotations: annotations ?? found.metadata.annotations },
        spec: { ...found.spec, minReadySeconds: s.d.spec.minReadySeconds },
      });
      return { newRS, oldRSs };
    }
    s.revision = found.metadata.annotations?.[REVISION_ANNOTATION];
    if (hasProgressDeadline(s.d) && !getCondition(s.status, PROGRESSING)) {
      const message = `Found new replica set ${JSON.stringify(found.metadata.name)}`;
      s.status = setCondition(
        s.status,
        newCondition(PROGRESSING, 'True', Reason.FoundNewReplicaSet, message, this.now()),
      );
    }
    return { newRS: found, oldRSs };
  }

  /**
   * Creates `<deployment>-<hash>` for the current template, sized as the strategy allows. A
   * ReplicaSet of that name that is ours with this template is taken as the new one (a cache
   * that lagged); any other is a hash collision: collisionCount goes up and the sync retries.
   */
  private async createNewReplicaSet(s: SyncState, oldRSs: ReplicaSet[]): Promise<ReplicaSet> {
    const d = s.d;
    const hash = computePodTemplateHash(d.spec.template, d.status?.collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
    };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const name = `${d.metadata.name}-${hash}`;
    const draft: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [controllerOwnerReference(d, DEPLOYMENTS)],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds, selector, template },
    };
    const replicas = newReplicaSetReplicas(d, [...oldRSs, draft], draft, this.presentPods(s));
    const revision = maxRevision(oldRSs) + 1;
    draft.spec.replicas = replicas;
    draft.metadata.annotations = newReplicaSetAnnotations(d, undefined, revision, {
      desired: specReplicas(d),
      max: specReplicas(d) + maxSurge(d),
    });

    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.ctx.client.create(REPLICASETS, draft);
    } catch (e) {
      if (!isApiError(e, 'AlreadyExists')) return this.failedCreate(s, name, e);
      const existing =
        this.replicaSets.get(`${d.metadata.namespace}/${name}`) ??
        (await this.ctx.client.tryGet<ReplicaSet>(REPLICASETS, d.metadata.namespace!, name));
      if (
        !existing ||
        controllerOf(existing)?.uid !== d.metadata.uid ||
        !equalIgnoreHash(d.spec.template, existing.spec.template)
      ) {
        await this.writeStatus(d, { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 });
        throw e;
      }
      created = existing;
      alreadyExisted = true;
    }
    if (!alreadyExisted && replicas > 0) {
      this.ctx.recorder.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${name} to ${replicas}`,
      );
    }
    s.revision = String(revision);
    if (!alreadyExisted && hasProgressDeadline(d)) {
      const message = `Created new replica set ${JSON.stringify(name)}`;
      s.status = setCondition(
        s.status,
        newCondition(PROGRESSING, 'True', Reason.NewReplicaSetCreated, message, this.now()),
      );
    }
    return created;
  }

  private async failedCreate(s: SyncState, name: string, e: unknown): Promise<never> {
    const message = `Failed to create new replica set ${JSON.stringify(name)}: ${(e as Error).message}`;
    this.ctx.recorder.event(s.d, 'Warning', Reason.ReplicaSetCreateError, message);
    if (hasProgressDeadline(s.d)) {
      const status = setCondition(
        s.status,
        newCondition(PROGRESSING, 'False', Reason.ReplicaSetCreateError, message, this.now()),
      );
      // The creation error is the news; a failure to record it must not hide it.
      await this.writeStatus(s.d, status).catch(() => undefined);
    }
    throw e;
  }

  /**
   * Sets a ReplicaSet's size and sizing annotations, writing only if either differs; a size
   * change is reported as a ScalingReplicaSet event on the Deployment. The update carries the
   * ReplicaSet's resourceVersion, so a decision taken on a stale copy fails and is retried.
   */
  private async scaleReplicaSet(s: SyncState, rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
    const d = s.d;
    const annotations = withReplicasAnnotations(
      rs.metadata.annotations,
      specReplicas(d),
      specReplicas(d) + maxSurge(d),
    );
    const from = specReplicas(rs);
    if (from === replicas && !annotations) return rs;
    const updated = await this.updateReplicaSet({
      ...rs,
      metadata: { ...rs.metadata, annotations: annotations ?? rs.metadata.annotations },
      spec: { ...rs.spec, replicas },
    });
    if (from !== replicas) {
      const direction = replicas > from ? 'up' : 'down';
      this.ctx.recorder.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${direction} replica set ${rs.metadata.name} to ${replicas} from ${from}`,
      );
    }
    return updated;
  }

  /** Deletes the old ReplicaSets beyond revisionHistoryLimit that have nothing left running. */
  private async cleanup(s: SyncState, oldRSs: ReplicaSet[]): Promise<void> {
    for (const rs of planCleanup(s.d, oldRSs)) {
      try {
        await this.ctx.client.delete(REPLICASETS, rs.metadata.namespace!, rs.metadata.name!, {
          preconditions: { uid: rs.metadata.uid },
        });
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
    }
  }

  /** Writes a rollout's status and schedules the progress-deadline and minReadySeconds re-checks. */
  private async finishRollout(
    s: SyncState,
    allRSs: (ReplicaSet | undefined)[],
    newRS: ReplicaSet | undefined,
  ): Promise<void> {
    const now = this.ctx.clock.now();
    const status = rolloutStatus(s.d, s.status, allRSs, newRS, now, formatTime(now));
    await this.finish(s, status);
    const key = objectKey(s.d);
    const recheck = progressRecheckDelay(s.d, status, now);
    if (recheck !== undefined) this.loop.queue.addAfter(key, recheck);
    // A pod turning available after minReadySeconds changes no object: look again then.
    if (s.d.spec.minReadySeconds && (status.readyReplicas ?? 0) > (status.availableReplicas ?? 0)) {
      this.loop.queue.addAfter(key, s.d.spec.minReadySeconds * 1000);
    }
  }

  /** Writes the status if it changed, then the revision annotation if that did. */
  private async finish(s: SyncState, status: WorkloadStatus): Promise<void> {
    if (!isDeepStrictEqual(status, s.d.status ?? {})) await this.writeStatus(s.d, status);
    if (s.revision === undefined || s.d.metadata.annotations?.[REVISION_ANNOTATION] === s.revision) return;
    try {
      await this.ctx.client.patch(DEPLOYMENTS, s.d.metadata.namespace!, s.d.metadata.name!, {
        metadata: { annotations: { [REVISION_ANNOTATION]: s.revision } },
      });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  private async writeStatus(d: Deployment, status: WorkloadStatus): Promise<void> {
    try {
      await this.ctx.client.updateStatus(DEPLOYMENTS, { ...d, status });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  /**
   * The ReplicaSets this Deployment owns after adoption and release (Kubernetes'
   * ClaimReplicaSets): matching orphans are adopted, owned ones whose labels stopped matching are
   * released. A Deployment being deleted adopts and releases nothing.
   */
  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const selector = labelSelectorFromObject(d.spec.selector);
    const owned: ReplicaSet[] = [];
    let canAdopt: boolean | undefined;
    for (const rs of this.replicaSets.byIndex('namespace', d.metadata.namespace ?? '')) {
      const ref = controllerOf(rs);
      const matches = selector.matches(rs.metadata.labels);
      if (ref?.uid === d.metadata.uid) {
        if (matches) owned.push(rs);
        else if (!d.metadata.deletionTimestamp) await this.release(d, rs);
      } else if (!ref && matches && !d.metadata.deletionTimestamp && !rs.metadata.deletionTimestamp) {
        canAdopt ??= await this.stillExists(d);
        if (canAdopt && (await this.adopt(d, rs))) owned.push(rs);
      }
    }
    return owned;
  }

  /** Adopt only if this very Deployment still exists and is not being deleted: a cache may hold a deleted one. */
  private async stillExists(d: Deployment): Promise<boolean> {
    const live = await this.ctx.client.tryGet<Deployment>(
      DEPLOYMENTS,
      d.metadata.namespace!,
      d.metadata.name!,
    );
    return live !== undefined && live.metadata.uid === d.metadata.uid && !live.metadata.deletionTimestamp;
  }

  private adopt(d: Deployment, rs: ReplicaSet): Promise<boolean> {
    return adopt(this.ctx.client, REPLICASETS, rs, controllerOwnerReference(d, DEPLOYMENTS));
  }

  private release(d: Deployment, rs: ReplicaSet): Promise<void> {
    return release(this.ctx.client, REPLICASETS, rs, d.metadata.uid!);
  }

  /** Pods controlled by each ReplicaSet and matching the Deployment's selector, inactive ones included. */
  private podsByReplicaSet(d: Deployment, replicaSets: ReplicaSet[]): Map<string, Pod[]> {
    const selector = labelSelectorFromObject(d.spec.selector);
    const byRs = new Map<string, Pod[]>();
    for (const rs of replicaSets) {
      const uid = rs.metadata.uid!;
      const pods = this.pods
        .byIndex('owner', uid)
        .filter((p) => controllerOf(p)?.uid === uid && selector.matches(p.metadata.labels));
      byRs.set(uid, pods);
    }
    return byRs;
  }

  /** Active pods each ReplicaSet still has, by uid. */
  private presentPods(s: SyncState): Map<string, number> {
    return new Map([...s.pods].map(([uid, pods]) => [uid, pods.filter(isPodActive).length]));
  }

  private now(): string {
    return formatTime(this.ctx.clock.now());
  }
}
