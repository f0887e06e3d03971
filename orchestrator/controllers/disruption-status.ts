import { formatTime } from '../api/clock.js';
import { isPodReady } from '../api/pod-helpers.js';
import type { Condition, Pod, PodDisruptionBudget, PodDisruptionBudgetStatus } from '../api/types.js';

/**
 * How long an eviction's entry in `status.disruptedPods` holds before the controller assumes the
 * pod will not be deleted after all (upstream's DeletionTimeout).
 */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** The pods the controllers of a budget's pods want, summed once per controller. */
export interface ExpectedScale {
  expected: number;
  /** Pods without a controller, which no scale accounts for. */
  unmanaged: string[];
}

/** What a budget expects of its pods: how many there should be, how many must stay healthy. */
export interface ExpectedCounts {
  expectedCount: number;
  desiredHealthy: number;
  unmanaged: string[];
}

/** A condition of policy/v1 status: metav1.Condition, with its observedGeneration. */
type BudgetCondition = Condition & { observedGeneration?: number };

/**
 * `intstr.GetScaledValueFromIntOrPercent`: a number as it is, a percent of `total` rounded up or
 * down.
 */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.replace(/%$/, ''));
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * Upstream's getExpectedPodCount. maxUnavailable, or minAvailable as a percent, is taken of the
 * pods the controllers want (their scale, `scale()`); minAvailable as a number needs that many
 * healthy of the pods there are. A budget with neither expects nothing, and so allows nothing.
 */
export function expectedCounts(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  scale: () => ExpectedScale,
): ExpectedCounts {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined) {
    const { expected, unmanaged } = scale();
    const desiredHealthy = Math.max(0, expected - scaledValue(maxUnavailable, expected, true));
    return { expectedCount: expected, desiredHealthy, unmanaged };
  }
  if (typeof minAvailable === 'number')
    return { expectedCount: pods.length, desiredHealthy: minAvailable, unmanaged: [] };
  if (typeof minAvailable === 'string') {
    const { expected, unmanaged } = scale();
    return { expectedCount: expected, desiredHealthy: scaledValue(minAvailable, expected, true), unmanaged };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanaged: [] };
}

/**
 * Upstream's buildDisruptedPodMap: the evictions still pending, those of the budget's pods that
 * are not yet terminating and were evicted less than DELETION_TIMEOUT_MS ago; and when the oldest
 * of them times out (ms since the epoch), for a recheck.
 */
export function pendingDisruptions(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  now: Date,
): { disruptedPods: Record<string, string>; recheckAt?: number } {
  const recorded = pdb.status?.disruptedPods ?? {};
  const disruptedPods: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || !Object.hasOwn(recorded, name)) continue;
    const expires = Date.parse(recorded[name]!) + DELETION_TIMEOUT_MS;
    if (!(expires > now.getTime())) continue;
    disruptedPods[name] = recorded[name]!;
    recheckAt = Math.min(recheckAt ?? Infinity, expires);
  }
  return { disruptedPods, recheckAt };
}

/** Upstream's countHealthyPods: Ready, not terminating, not being evicted. */
export function countHealthy(pods: readonly Pod[], disruptedPods: Record<string, string>): number {
  return pods.filter(
    (pod) =>
      !pod.metadata.deletionTimestamp && !Object.hasOwn(disruptedPods, pod.metadata.name!) && isPodReady(pod),
  ).length;
}

/**
 * The status the disruption controller writes: the counts, what they allow (none while nothing is
 * expected), the pending evictions, the generation it judged and the DisruptionAllowed condition.
 */
export function budgetStatus(
  pdb: PodDisruptionBudget,
  counts: { currentHealthy: number; desiredHealthy: number; expectedCount: number },
  disruptedPods: Record<string, string>,
  now: Date,
): PodDisruptionBudgetStatus {
  const { currentHealthy, desiredHealthy, expectedCount } = counts;
  const allowed = currentHealthy - desiredHealthy;
  const disruptionsAllowed = expectedCount <= 0 || allowed <= 0 ? 0 : allowed;
  const observedGeneration = pdb.metadata.generation ?? 0;
  const status: PodDisruptionBudgetStatus = {
    ...(observedGeneration ? { observedGeneration } : {}),
    ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods: expectedCount,
  };
  status.conditions = withDisruptionAllowed(
    pdb.status?.conditions,
    disruptionsAllowed > 0
      ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }
      : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '' },
    observedGeneration,
    now,
  );
  return status;
}

/** The status written when the budget cannot be judged (upstream's failSafe): it allows nothing. */
export function failSafeStatus(pdb: PodDisruptionBudget, why: string, now: Date): PodDisruptionBudgetStatus {
  const previous = pdb.status;
  const observedGeneration = pdb.metadata.generation ?? 0;
  return {
    ...(observedGeneration ? { observedGeneration } : {}),
    ...(previous?.disruptedPods ? { disruptedPods: previous.disruptedPods } : {}),
    disruptionsAllowed: 0,
    currentHealthy: previous?.currentHealthy ?? 0,
    desiredHealthy: previous?.desiredHealthy ?? 0,
    expectedPods: previous?.expectedPods ?? 0,
    conditions: withDisruptionAllowed(
      previous?.conditions,
      { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: why },
      observedGeneration,
      now,
    ),
  };
}

/** `meta.SetStatusCondition`: the transition time moves only when the status does. */
function withDisruptionAllowed(
  conditions: readonly Condition[] | undefined,
  next: Pick<Condition, 'type' | 'status' | 'reason' | 'message'>,
  observedGeneration: number,
  now: Date,
): BudgetCondition[] {
  const previous = conditions?.find((c) => c.type === next.type);
  const condition: BudgetCondition = {
    type: next.type,
    status: next.status,
    ...(observedGeneration ? { observedGeneration } : {}),
    lastTransitionTime:
      previous?.status === next.status && previous.lastTransitionTime
        ? previous.lastTransitionTime
        : formatTime(now),
    reason: next.reason,
    message: next.message,
  };
  return [...(conditions ?? []).filter((c) => c.type !== next.type), condition];
}
