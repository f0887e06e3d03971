/**
 * The replica arithmetic of Kubernetes' deployment controller (pkg/controller/deployment and its
 * util package), as pure functions over a Deployment and its ReplicaSets: which ReplicaSet is
 * new, how far a rolling update may surge and fall short, how many replicas each ReplicaSet gets
 * next, and which old ones may go.
 */
import type { Deployment, ReplicaSet } from '../api/types.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  intAnnotation,
  revisionOf,
} from './deployment-annotations.js';
import { equalIgnoreHash } from './pod-template-hash.js';

/** A ReplicaSet and the spec.replicas it should have. */
export interface ScaleStep {
  rs: ReplicaSet;
  replicas: number;
}

/** spec.replicas of a Deployment or ReplicaSet, with the API default of 1. */
export function specReplicas(obj: Deployment | ReplicaSet): number {
  return obj.spec.replicas ?? 1;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/**
 * An int-or-percent against `total` (intstr.GetScaledValueFromIntOrPercent): a number as it is, a
 * percentage rounded up or down. Anything else counts as 0, as in Kubernetes, where validation
 * has already refused it.
 */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  if (!m) return 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * maxSurge and maxUnavailable against `desired` replicas (Kubernetes' ResolveFenceposts): surge
 * rounds up, unavailability down, and if both come to 0 unavailability becomes 1, so a rollout
 * can always move.
 */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): { maxSurge: number; maxUnavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  const unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  return { maxSurge: surge, maxUnavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

/** How many pods above spec.replicas a rolling update may run; 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, specReplicas(d)).maxSurge;
}

/** How many of spec.replicas a rolling update may leave unavailable, at most all; 0 for Recreate. */
export function maxUnavailable(d: Deployment): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).maxUnavailable, replicas);
}

/** Oldest first, by creationTimestamp then name (controller.ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Lowest revision first, creation order among equals or unparsable ones (ReplicaSetsByRevision). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const [ra, rb] = [revisionOf(a), revisionOf(b)];
  if (Number.isNaN(ra) || Number.isNaN(rb) || ra === rb) return byCreation(a, b);
  return ra - rb;
}

/** ReplicaSets with spec.replicas above 0 (controller.FilterActiveReplicaSets). */
export function activeReplicaSets(replicaSets: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return replicaSets.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
}

/** Sum of spec.replicas. */
export function specReplicaCount(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  return replicaSets.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
}

/** Sum of a status counter. */
export function statusCount(
  replicaSets: readonly (ReplicaSet | undefined)[],
  field: 'replicas' | 'readyReplicas' | 'availableReplicas',
): number {
  return replicaSets.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0);
}

/**
 * The ReplicaSet running the Deployment's current template, ignoring the hash label; the oldest
 * if several do (Kubernetes' FindNewReplicaSet).
 */
export function findNewReplicaSet(d: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...replicaSets].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** Every ReplicaSet but `newRS`. */
export function oldReplicaSets(
  replicaSets: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
): ReplicaSet[] {
  return replicaSets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/**
 * Whether the new ReplicaSet holds all of the Deployment: sized to spec.replicas, annotated so,
 * and every replica available (Kubernetes' IsSaturated).
 */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const replicas = specReplicas(d);
  return (
    specReplicas(rs) === replicas &&
    intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION) === replicas &&
    (rs.status?.availableReplicas ?? 0) === replicas
  );
}

/**
 * Whether spec.replicas changed since the active ReplicaSets were last sized, told by their
 * desired-replicas annotation (Kubernetes' isScalingEvent): then replicas are spread in
 * proportion rather than rolled.
 */
export function isScalingEvent(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[]): boolean {
  return activeReplicaSets(allRSs).some((rs) => {
    const desired = intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
    return desired !== undefined && desired !== specReplicas(d);
  });
}

/**
 * The size for the new ReplicaSet in a rollout (Kubernetes' NewRSNewReplicas). Rolling: grow it
 * as far as replicas + maxSurge allows, never beyond spec.replicas. Recreate: spec.replicas.
 *
 * `presentPods` (per ReplicaSet uid) are the pods each ReplicaSet still has. Kubernetes counts
 * only spec.replicas, so while an old ReplicaSet's scale-down is in flight its pods and the new
 * ones can briefly exceed the surge; counting whichever is larger keeps the total within it.
 */
export function newReplicaSetReplicas(
  d: Deployment,
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
  presentPods: ReadonlyMap<string, number> = new Map(),
): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d)) return replicas;
  const current = allRSs.reduce(
    (n, rs) => n + Math.max(specReplicas(rs), presentPods.get(rs.metadata.uid ?? '') ?? 0),
    0,
  );
  const maxTotal = replicas + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, replicas - specReplicas(newRS));
}

/**
 * The new ReplicaSet's next size in a rolling update (Kubernetes' reconcileNewReplicaSet): down
 * to spec.replicas if above it, else up as far as the surge allows.
 */
export function planNewReplicaSetScale(
  d: Deployment,
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
  presentPods?: ReadonlyMap<string, number>,
): number {
  const replicas = specReplicas(d);
  if (specReplicas(newRS) >= replicas) return replicas;
  return newReplicaSetReplicas(d, allRSs, newRS, presentPods);
}

/**
 * How far the old ReplicaSets of a rolling update may shrink (Kubernetes'
 * reconcileOldReplicaSets): at most what keeps replicas - maxUnavailable available, counting the
 * new ReplicaSet's unavailable pods as missing; unhealthy replicas of old ReplicaSets go first,
 * then the oldest ReplicaSets shrink while more than the minimum is available. Returns the
 * ReplicaSets whose size changes, oldest first.
 *
 * A ReplicaSet counts as available at most spec.replicas pods. Kubernetes sums
 * status.availableReplicas, which still includes the pods a ReplicaSet is about to delete right
 * after it was scaled down; a second step taken before its status catches up would then remove
 * pods that were already counted as gone, and availability would dip below the minimum.
 */
export function planOldReplicaSetsScaleDown(
  d: Deployment,
  allRSs: readonly ReplicaSet[],
  activeOldRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
): ScaleStep[] {
  if (specReplicaCount(activeOldRSs) === 0) return [];
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - keptAvailable(newRS);
  const maxScaledDown = specReplicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const old = [...activeOldRSs].sort(byCreation);
  const size = new Map(old.map((rs) => [rs, specReplicas(rs)]));

  // Unhealthy replicas first: removing them costs no availability, and they would block the rollout.
  let cleaned = 0;
  for (const rs of old) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = size.get(rs)! - keptAvailable(rs);
    if (unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    size.set(rs, size.get(rs)! - n);
    cleaned += n;
  }

  const available = [...old, newRS].reduce((n, rs) => n + keptAvailable(rs), 0);
  if (available > minAvailable) {
    const toScaleDown = available - minAvailable;
    let scaled = 0;
    for (const rs of old) {
      if (scaled >= toScaleDown) break;
      const current = size.get(rs)!;
      if (current === 0) continue;
      const n = Math.min(current, toScaleDown - scaled);
      size.set(rs, current - n);
      scaled += n;
    }
  }
  return old.filter((rs) => size.get(rs) !== specReplicas(rs)).map((rs) => ({ rs, replicas: size.get(rs)! }));
}

/** Available pods a ReplicaSet keeps once it is down to spec.replicas (it deletes unavailable ones first). */
function keptAvailable(rs: ReplicaSet): number {
  return Math.min(specReplicas(rs), rs.status?.availableReplicas ?? 0);
}

/**
 * The only active ReplicaSet, or the newest one when none is active; undefined when several are
 * active (Kubernetes' FindActiveOrLatest).
 */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): ReplicaSet | undefined {
  const active = activeReplicaSets([...oldRSs, newRS]);
  if (active.length === 1) return active[0];
  if (active.length > 1) return undefined;
  return newRS ?? [...oldRSs].sort(byCreation).at(-1);
}

/**
 * Sizes for a scaling event or a paused Deployment (Kubernetes' scale()). A lone active
 * ReplicaSet takes all of spec.replicas; a saturated new ReplicaSet leaves the old ones at 0;
 * during a rolling update the difference to replicas + maxSurge is spread over the active
 * ReplicaSets in proportion to their share of the max-replicas they were sized for, leftovers
 * going to the largest. Steps with an unchanged size are included in the proportional case, so
 * their sizing annotations can be brought up to date.
 */
export function planProportionalScale(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): ScaleStep[] {
  const replicas = specReplicas(d);
  const lone = findActiveOrLatest(newRS, oldRSs);
  if (lone) return specReplicas(lone) === replicas ? [] : [{ rs: lone, replicas }];
  if (isSaturated(d, newRS)) return activeReplicaSets(oldRSs).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];

  const active = activeReplicaSets([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - specReplicaCount(active);
  // Larger first; among equals newer first when growing, older first when shrinking.
  if (toAdd > 0) active.sort((a, b) => specReplicas(b) - specReplicas(a) || byCreation(b, a));
  else if (toAdd < 0) active.sort((a, b) => specReplicas(b) - specReplicas(a) || byCreation(a, b));

  let added = 0;
  const steps = active.map((rs) => {
    if (toAdd === 0) return { rs, replicas: specReplicas(rs) };
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return { rs, replicas: specReplicas(rs) + p };
  });
  if (toAdd !== 0 && steps.length > 0) steps[0]!.replicas = Math.max(0, steps[0]!.replicas + toAdd - added);
  return steps;
}

/** Kubernetes' GetProportion: this ReplicaSet's share of `toAdd`, never past what is left of it. */
function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = specReplicas(d);
  if (replicas === 0) return -specReplicas(rs);
  const deploymentReplicas = replicas + maxSurge(d);
  const annotated = intAnnotation(rs, MAX_REPLICAS_ANNOTATION) ?? d.status?.replicas ?? 0;
  // Without any base to compare with, this ReplicaSet claims nothing; the leftover goes to the largest.
  if (annotated <= 0) return 0;
  return Math.round((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
}

/**
 * Old ReplicaSets beyond revisionHistoryLimit that may be deleted, lowest revision first: only
 * those scaled to 0 with no pods left and their spec observed (Kubernetes' cleanupDeployment).
 */
export function planCleanup(d: Deployment, oldRSs: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === undefined || limit === MAX_INT32) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const excess = alive.length - limit;
  if (excess <= 0) return [];
  return alive
    .slice(0, excess)
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        specReplicas(rs) === 0 &&
        (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}

/** Kubernetes' "no limit" for revisionHistoryLimit and progressDeadlineSeconds. */
export const MAX_INT32 = 2147483647;
