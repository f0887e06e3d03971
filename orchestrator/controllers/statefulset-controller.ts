import { isDeepStrictEqual } from 'node:util';
import { type ReconcileLoop, objectKey, type Informer } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { controllerOf, controllerOwnerReference, isPodAvailable, isPodReady } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import type {
  ControllerRevision,
  Pod,
  PodTemplateSpec,
  StatefulSet,
  StatefulSetStatus,
} from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';
import { adopt, release } from './controller-ref.js';
import { Expectations } from './expectations.js';
import { handleOwnersAndPods } from './owned-pod-handlers.js';
import {
  newPod,
  ordinalOf,
  podRevision,
  recordsTemplate,
  revisionData,
  revisionName,
  startOrdinal,
  templateOf,
} from './statefulset-identity.js';

const PODS = findResource('', 'v1', 'pods')!;
const STATEFULSETS = findResource('apps', 'v1', 'statefulsets')!;
const REVISIONS = findResource('apps', 'v1', 'controllerrevisions')!;

/** A revision of the set: its name and the template it records. */
interface Revision {
  name: string;
  template: PodTemplateSpec;
}

const isTerminating = (pod: Pod) => Boolean(pod.metadata.deletionTimestamp);
const isFinished = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const isRunningAndReady = (pod: Pod) => pod.status?.phase === 'Running' && isPodReady(pod);
const isHealthy = (pod: Pod) => isRunningAndReady(pod) && !isTerminating(pod);

/**
 * Kubernetes' StatefulSet controller: one pod per ordinal, named `<set>-<ordinal>`, created in
 * order (OrderedReady: each waits for the one before it to be Running and Ready; Parallel: all
 * at once), removed from the highest ordinal down, and rolled to a new template from the highest
 * ordinal down to the partition (RollingUpdate), or only as pods are deleted (OnDelete).
 *
 * At most one pod per identity: a pod is only ever created under its fixed name, so while the old
 * pod object exists — terminating on a node that cannot confirm it stopped, for instance — the
 * apiserver itself refuses a second one, and the controller waits, never force-deleting. The
 * identity frees up when the pod is gone for certain: its kubelet confirms, someone force-deletes
 * it, or the pod garbage collector removes it once its Node is deleted.
 *
 * Templates are kept as ControllerRevisions owned by the set, so pods below the partition can be
 * recreated at the revision they ran. Expectations keep a lagging cache from acting twice.
 */
export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  private readonly loop: ReconcileLoop;
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly expectations: Expectations;

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new Expectations(ctx.clock);
    this.sets = ctx.informers.informer<StatefulSet>(STATEFULSETS);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.revisions = ctx.informers.informer<ControllerRevision>(REVISIONS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    handleOwnersAndPods(this.sets, this.pods, this.loop, this.expectations, {
      ownerKey: (pod) => this.ownerKey(pod),
      enqueueFor: (pod) => this.enqueueFor(pod),
    });
    this.revisions.addHandlers({
      add: (r) => this.enqueueOwner(r),
      delete: (r) => this.enqueueOwner(r),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private ownerKey(obj: Pod | ControllerRevision): string | undefined {
    const ref = controllerOf(obj);
    return ref?.kind === 'StatefulSet' ? `${obj.metadata.namespace}/${ref.name}` : undefined;
  }

  private enqueueOwner(r: ControllerRevision): void {
    const owner = this.ownerKey(r);
    if (owner) this.loop.enqueue(owner);
  }

  /** A pod event concerns its set, or, for an orphan, every set that could adopt it. */
  private enqueueFor(pod: Pod): void {
    const owner = this.ownerKey(pod);
    if (owner) return this.loop.enqueue(owner);
    if (controllerOf(pod)) return;
    for (const sts of this.sets.byIndex('namespace', pod.metadata.namespace ?? '')) {
      if (labelSelectorFromObject(sts.spec.selector).matches(pod.metadata.labels)) this.loop.enqueue(sts);
    }
  }

  private async reconcile(key: string): Promise<void> {
    const sts = this.sets.get(key);
    if (!sts) {
      this.expectations.forget(key);
      return;
    }
    const pods = await this.claimPods(sts);
    if (sts.metadata.deletionTimestamp) return;
    const { current, update } = await this.revisionsOf(sts);
    if (this.expectations.satisfied(key)) await this.sync(sts, pods, current, update);
    await this.updateStatus(sts, pods, current, update);
    await this.truncateHistory(sts, pods, current, update);
  }

  /**
   * The pods that are members of this set (by name) after adoption and release: matching
   * orphans are adopted, owned pods that stopped matching are released.
   */
  private async claimPods(sts: StatefulSet): Promise<Pod[]> {
    const selector = labelSelectorFromObject(sts.spec.selector);
    const owned: Pod[] = [];
    for (const pod of this.pods.byIndex('namespace', sts.metadata.namespace ?? '')) {
      if (ordinalOf(sts, pod) === undefined) continue;
      const ref = controllerOf(pod);
      const matches = selector.matches(pod.metadata.labels);
      if (ref?.uid === sts.metadata.uid) {
        if (matches) owned.push(pod);
        else await release(this.ctx.client, PODS, pod, sts.metadata.uid!);
      } else if (!ref && matches && !sts.metadata.deletionTimestamp && !isTerminating(pod)) {
        const live = await this.ctx.client.tryGet<StatefulSet>(
          STATEFULSETS,
          sts.metadata.namespace!,
          sts.metadata.name!,
        );
        if (!live || live.metadata.uid !== sts.metadata.uid || live.metadata.deletionTimestamp) continue;
        if (await adopt(this.ctx.client, PODS, pod, controllerOwnerReference(sts, STATEFULSETS))) {
          owned.push(pod);
        }
      }
    }
    return owned;
  }

  /** This set's ControllerRevisions, newest first. */
  private ownRevisions(sts: StatefulSet): ControllerRevision[] {
    return this.revisions
      .byIndex('namespace', sts.metadata.namespace ?? '')
      .filter((r) => controllerOf(r)?.uid === sts.metadata.uid)
      .sort((a, b) => b.revision - a.revision);
  }

  /**
   * The update revision (the set's template, recorded as a ControllerRevision, created when new)
   * and the current one (status.currentRevision, or the update revision when there is none).
   */
  private async revisionsOf(sts: StatefulSet): Promise<{ current: Revision; update: Revision }> {
    const own = this.ownRevisions(sts);
    const template = sts.spec.template;
    const name = revisionName(sts);
    let updateRev = own.find((r) => r.metadata.name === name && recordsTemplate(r, template));
    if (!updateRev) {
      const revision: ControllerRevision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: sts.metadata.namespace,
          labels: { ...sts.spec.selector.matchLabels },
          ownerReferences: [controllerOwnerReference(sts, STATEFULSETS)],
        },
        data: revisionData(template),
        revision: (own[0]?.revision ?? 0) + 1,
      };
      try {
        updateRev = await this.ctx.client.create(REVISIONS, revision);
      } catch (e) {
        if (!isApiError(e, 'AlreadyExists')) throw e;
        // The cache lagged behind our own creation, or another object holds the name (a collision).
        const existing = await this.ctx.client.get<ControllerRevision>(
          REVISIONS,
          sts.metadata.namespace!,
          name,
        );
        if (controllerOf(existing)?.uid === sts.metadata.uid && recordsTemplate(existing, template)) {
          updateRev = existing;
        } else {
          await this.ctx.client.updateStatus(STATEFULSETS, {
            ...sts,
            status: { ...sts.status, collisionCount: (sts.status?.collisionCount ?? 0) + 1 },
          });
          throw new Error(`ControllerRevision ${name} exists and is not this set's: collision count raised`);
        }
      }
    }
    const update: Revision = { name: updateRev.metadata.name!, template };
    const currentRev = own.find((r) => r.metadata.name === sts.status?.currentRevision);
    const currentTemplate = currentRev && templateOf(currentRev);
    const current: Revision =
      currentRev && currentTemplate ? { name: currentRev.metadata.name!, template: currentTemplate } : update;
    return { current, update };
  }

  /**
   * One step towards the desired pods (Kubernetes' updateStatefulSet): replace finished pods,
   * create missing ones, remove surplus ones, then roll. Each step either creates or deletes (so
   * one kind of expectation is pending at a time); the events of what it did bring the next.
   */
  private async sync(sts: StatefulSet, pods: Pod[], current: Revision, update: Revision): Promise<void> {
    const replicas = sts.spec.replicas ?? 1;
    const start = startOrdinal(sts);
    const ordered = (sts.spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(sts, p)!, p]));
    const inRange = (o: number) => o >= start && o < start + replicas;
    const partition = sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const rolling = (sts.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

    // SABOTAGE statefulset-force-deletes-terminating-pods: a terminating pod is force-deleted
    // rather than awaited, so its identity is made again while an unreachable kubelet still runs it.
    if (this.ctx.sabotages?.has('statefulset-force-deletes-terminating-pods')) {
      const stuck = pods.filter(isTerminating);
      if (stuck.length) return this.deletePods(sts, stuck, 'terminating', 0);
    }

    // Pods that finished are deleted, to be made again (a set's pods always run).
    const finished = pods.filter((p) => inRange(ordinalOf(sts, p)!) && isFinished(p) && !isTerminating(p));
    if (finished.length) {
      await this.deletePods(sts, ordered ? finished.slice(0, 1) : finished, 'finished');
      return;
    }

    const toCreate: Pod[] = [];
    for (let ordinal = start; ordinal < start + replicas; ordinal++) {
      const pod = byOrdinal.get(ordinal);
      if (!pod) {
        // Below the partition a pod is made again at the revision it ran (newVersionedStatefulSetPod).
        const atCurrent = rolling && ordinal < start + partition;
        const rev = atCurrent ? current : update;
        toCreate.push(
          newPod(sts, rev.template, rev.name, ordinal, controllerOwnerReference(sts, STATEFULSETS)),
        );
        if (ordered) break;
        continue;
      }
      // The identity is taken until this pod is gone; OrderedReady goes no further until then.
      if (ordered && !isHealthy(pod)) break;
    }
    if (toCreate.length) {
      await this.createPods(sts, toCreate);
      return;
    }
    // Everything in range must exist (and, ordered, be Running and Ready) before anything is removed.
    for (let ordinal = start; ordinal < start + replicas; ordinal++) {
      const pod = byOrdinal.get(ordinal);
      if (!pod || (ordered && !isHealthy(pod))) return;
    }

    const condemned = pods
      .filter((p) => !inRange(ordinalOf(sts, p)!) && !isTerminating(p))
      .sort((a, b) => ordinalOf(sts, b)! - ordinalOf(sts, a)!);
    if (condemned.length) {
      // Ordered: the highest first, and only once no other surplus pod is still going.
      if (ordered && pods.some((p) => !inRange(ordinalOf(sts, p)!) && isTerminating(p))) return;
      await this.deletePods(sts, ordered ? condemned.slice(0, 1) : condemned, 'scale down');
      return;
    }
    if (pods.some((p) => !inRange(ordinalOf(sts, p)!))) return;

    if (!rolling) return;
    // Roll from the highest ordinal down to the partition, one pod at a time, each healthy first.
    for (let ordinal = start + replicas - 1; ordinal >= start + partition; ordinal--) {
      const pod = byOrdinal.get(ordinal)!;
      if (podRevision(pod) !== update.name && !isTerminating(pod)) {
        await this.deletePods(sts, [pod], 'update');
        return;
      }
      if (!isHealthy(pod)) return;
    }
  }

  private async createPods(sts: StatefulSet, pods: Pod[]): Promise<void> {
    const key = objectKey(sts);
    this.expectations.expectCreations(key, pods.length);
    const results = await Promise.allSettled(pods.map((p) => this.ctx.client.create(PODS, p)));
    let failure: unknown;
    results.forEach((r, i) => {
      const name = pods[i]!.metadata.name!;
      if (r.status === 'fulfilled') {
        this.ctx.recorder.event(
          sts,
          'Normal',
          'SuccessfulCreate',
          `create Pod ${name} in StatefulSet ${sts.metadata.name} successful`,
        );
        return;
      }
      // Never observed: lower the expectations. AlreadyExists means the identity is still taken.
      this.expectations.creationObserved(key);
      if (isApiError(r.reason, 'AlreadyExists')) return;
      failure ??= r.reason;
      this.ctx.recorder.event(
        sts,
        'Warning',
        'FailedCreate',
        `create Pod ${name} in StatefulSet ${sts.metadata.name} failed error: ${(r.reason as Error).message}`,
      );
    });
    if (failure) throw failure;
  }

  private async deletePods(
    sts: StatefulSet,
    victims: Pod[],
    why: string,
    gracePeriodSeconds?: number,
  ): Promise<void> {
    const key = objectKey(sts);
    this.expectations.expectDeletions(key, victims.map(objectKey));
    const results = await Promise.allSettled(
      victims.map((pod) =>
        this.ctx.client.delete(PODS, pod.metadata.namespace!, pod.metadata.name!, {
          preconditions: { uid: pod.metadata.uid },
          ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
        }),
      ),
    );
    let failure: unknown;
    results.forEach((r, i) => {
      const name = victims[i]!.metadata.name!;
      if (r.status === 'fulfilled') {
        this.ctx.log.debug({ controller: this.name, pod: name, why }, 'deleting pod');
        this.ctx.recorder.event(
          sts,
          'Normal',
          'SuccessfulDelete',
          `delete Pod ${name} in StatefulSet ${sts.metadata.name} successful`,
        );
        return;
      }
      this.expectations.deletionObserved(key, objectKey(victims[i]!));
      if (!isApiError(r.reason, 'NotFound')) failure ??= r.reason;
    });
    if (failure) throw failure;
  }

  /** Kubernetes' computeReplicaStatus, and the rollout completing once every pod is updated and ready. */
  private async updateStatus(
    sts: StatefulSet,
    pods: Pod[],
    current: Revision,
    update: Revision,
  ): Promise<void> {
    const now = this.ctx.clock.now().getTime();
    const minReady = sts.spec.minReadySeconds ?? 0;
    const status: StatefulSetStatus = {
      ...sts.status,
      observedGeneration: sts.metadata.generation,
      replicas: pods.length,
      readyReplicas: pods.filter(isRunningAndReady).length,
      availableReplicas: pods.filter((p) => isRunningAndReady(p) && isPodAvailable(p, minReady, now)).length,
      currentReplicas: pods.filter((p) => !isTerminating(p) && podRevision(p) === current.name).length,
      updatedReplicas: pods.filter((p) => !isTerminating(p) && podRevision(p) === update.name).length,
      currentRevision: current.name,
      updateRevision: update.name,
    };
    const rolling = (sts.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = update.name;
    }
    if (isDeepStrictEqual(status, sts.status)) return;
    try {
      await this.ctx.client.updateStatus(STATEFULSETS, { ...sts, status });
    } catch (e) {
      // A Conflict is thrown on: the loop tries again (with back-off) from a fresher cache.
      if (!isApiError(e, 'NotFound')) throw e;
    }
    if (minReady && status.readyReplicas !== status.availableReplicas) {
      this.loop.queue.addAfter(objectKey(sts), minReady * 1000);
    }
  }

  /** Deletes the oldest revisions beyond revisionHistoryLimit that no pod runs and neither status names. */
  private async truncateHistory(
    sts: StatefulSet,
    pods: Pod[],
    current: Revision,
    update: Revision,
  ): Promise<void> {
    const live = new Set([current.name, update.name, ...pods.map(podRevision)]);
    const history = this.ownRevisions(sts).filter((r) => !live.has(r.metadata.name));
    const limit = sts.spec.revisionHistoryLimit ?? 10;
    for (const r of history.slice(limit)) {
      await this.ctx.client
        .delete(REVISIONS, r.metadata.namespace!, r.metadata.name!, {
          preconditions: { uid: r.metadata.uid },
        })
        .catch((e: unknown) => {
          if (!isApiError(e, 'NotFound')) throw e;
        });
    }
  }
}
