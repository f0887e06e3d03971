/**
 * Upstream's normalization of a recommended replica count (pkg/controller/podautoscaler/
 * horizontal.go: normalizeDesiredReplicas and normalizeDesiredReplicasWithBehaviors): the
 * stabilization window over past recommendations, the rate limits of the scaling policies over
 * past scale events, and the min/max bounds, with the conditions that say which one decided.
 * Pure: the histories are given and the new recommendation is returned for the caller to keep.
 */
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from '../api/types.js';

/** A recommendation as it was made: upstream's timestampedRecommendation. */
export interface TimedRecommendation {
  replicas: number;
  atMs: number;
}

/** A rescale as it was made: upstream's timestampedScaleEvent (a change in replicas, always positive). */
export interface ScaleEvent {
  change: number;
  atMs: number;
}

/** Upstream's scaleUpLimitFactor and scaleUpLimitMinimum: without behaviors, at most double or four pods. */
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

/** The condition one step of normalization sets: reason and message as upstream's. */
export interface NormalizationReason {
  reason: string;
  message: string;
}

export interface NormalizationInput {
  /** The recommendation of the metrics, before normalization. */
  desiredReplicas: number;
  currentReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  nowMs: number;
  /** Past recommendations of this HPA (not modified). */
  recommendations: readonly TimedRecommendation[];
  /** The controller's --horizontal-pod-autoscaler-downscale-stabilization. */
  downscaleStabilizationMs: number;
  /** The HPA's behavior; absent: the rules from before behaviors existed. */
  behavior?: HorizontalPodAutoscalerBehavior;
  scaleUpEvents?: readonly ScaleEvent[];
  scaleDownEvents?: readonly ScaleEvent[];
}

export interface NormalizationResult {
  desiredReplicas: number;
  /** AbleToScale, True: whether stabilization held the recommendation back. */
  ableToScale: NormalizationReason;
  /** ScalingLimited: True when the bounds or the rate limits changed the stabilized count. */
  scalingLimited: NormalizationReason & { limited: boolean };
  /** The history to keep: the recommendations with this one recorded. */
  recommendations: TimedRecommendation[];
}

const READY_FOR_NEW_SCALE: NormalizationReason = {
  reason: 'ReadyForNewScale',
  message: 'recommended size matches current size',
};
const SCALE_DOWN_STABILIZED: NormalizationReason = {
  reason: 'ScaleDownStabilized',
  message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
};
const SCALE_UP_STABILIZED: NormalizationReason = {
  reason: 'ScaleUpStabilized',
  message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
};
const WITHIN_RANGE: NormalizationReason = {
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};
const TOO_FEW: NormalizationReason = {
  reason: 'TooFewReplicas',
  message: 'the desired replica count is less than the minimum replica count',
};
const TOO_MANY: NormalizationReason = {
  reason: 'TooManyReplicas',
  message: 'the desired replica count is more than the maximum replica count',
};
const SCALE_UP_LIMIT: NormalizationReason = {
  reason: 'ScaleUpLimit',
  message: 'the desired replica count is increasing faster than the maximum scale rate',
};
const SCALE_DOWN_LIMIT: NormalizationReason = {
  reason: 'ScaleDownLimit',
  message: 'the desired replica count is decreasing faster than the maximum scale rate',
};

/**
 * The replica count to set: the metrics' recommendation stabilized over the recent ones and held
 * within the HPA's bounds and rate limits.
 */
export function normalizeDesiredReplicas(input: NormalizationInput): NormalizationResult {
  return input.behavior ? withBehaviors(input, input.behavior) : withoutBehaviors(input);
}

/**
 * Without behaviors: a scale-down takes the highest recommendation of the downscale
 * stabilization window; a scale-up is limited to double the current count or four pods.
 */
function withoutBehaviors(input: NormalizationInput): NormalizationResult {
  const { desiredReplicas, nowMs } = input;
  const cutoff = nowMs - input.downscaleStabilizationMs;
  let stabilized = desiredReplicas;
  let oldest = -1;
  input.recommendations.forEach((rec, i) => {
    if (rec.atMs < cutoff) oldest = i;
    else if (rec.replicas > stabilized) stabilized = rec.replicas;
  });
  const recommendations = record(input.recommendations, oldest, { replicas: desiredReplicas, atMs: nowMs });
  const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * input.currentReplicas, SCALE_UP_LIMIT_MINIMUM);
  const [maximum, overMaximum] =
    input.maxReplicas > scaleUpLimit ? [scaleUpLimit, SCALE_UP_LIMIT] : [input.maxReplicas, TOO_MANY];
  let limited: { replicas: number; why: NormalizationReason };
  if (stabilized < input.minReplicas) limited = { replicas: input.minReplicas, why: TOO_FEW };
  else if (stabilized > maximum) limited = { replicas: maximum, why: overMaximum };
  else limited = { replicas: stabilized, why: WITHIN_RANGE };
  return {
    desiredReplicas: limited.replicas,
    ableToScale: stabilized !== desiredReplicas ? SCALE_DOWN_STABILIZED : READY_FOR_NEW_SCALE,
    scalingLimited: { ...limited.why, limited: limited.replicas !== stabilized },
    recommendations,
  };
}

/**
 * With behaviors: the recommendation is held between the lowest recommendation of the scale-up
 * window and the highest of the scale-down window, then limited by the policies of its direction
 * (the change each allows over its period, counted from the scale events in that period) and by
 * the bounds.
 */
function withBehaviors(
  input: NormalizationInput,
  behavior: HorizontalPodAutoscalerBehavior,
): NormalizationResult {
  const { desiredReplicas, currentReplicas, nowMs } = input;
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  // An unset scale-down window is the controller's flag (maybeInitScaleDownStabilizationWindow).
  const upWindowMs = (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindowMs = (down.stabilizationWindowSeconds ?? input.downscaleStabilizationMs / 1000) * 1000;
  const upCutoff = nowMs - upWindowMs;
  const downCutoff = nowMs - downWindowMs;
  let upRecommendation = desiredReplicas;
  let downRecommendation = desiredReplicas;
  let oldest = -1;
  input.recommendations.forEach((rec, i) => {
    if (rec.atMs > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.atMs > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
    if (rec.atMs < upCutoff && rec.atMs < downCutoff) oldest = i;
  });
  let stabilized = Math.max(currentReplicas, upRecommendation);
  stabilized = Math.min(stabilized, downRecommendation);
  const recommendations = record(input.recommendations, oldest, { replicas: desiredReplicas, atMs: nowMs });
  const stabilizedWhy = desiredReplicas >= currentReplicas ? SCALE_UP_STABILIZED : SCALE_DOWN_STABILIZED;

  const upEvents = input.scaleUpEvents ?? [];
  const downEvents = input.scaleDownEvents ?? [];
  let limited = { replicas: stabilized, why: WITHIN_RANGE };
  if (stabilized > currentReplicas) {
    const rate = Math.max(scaleUpLimit(currentReplicas, upEvents, downEvents, up, nowMs), currentReplicas);
    const [maximum, why] = input.maxReplicas > rate ? [rate, SCALE_UP_LIMIT] : [input.maxReplicas, TOO_MANY];
    if (stabilized > maximum) limited = { replicas: maximum, why };
  } else if (stabilized < currentReplicas) {
    const rate = Math.min(
      scaleDownLimit(currentReplicas, upEvents, downEvents, down, nowMs),
      currentReplicas,
    );
    const [minimum, why] = input.minReplicas < rate ? [rate, SCALE_DOWN_LIMIT] : [input.minReplicas, TOO_FEW];
    if (stabilized < minimum) limited = { replicas: minimum, why };
  }
  return {
    desiredReplicas: limited.replicas,
    ableToScale: stabilized !== desiredReplicas ? stabilizedWhy : READY_FOR_NEW_SCALE,
    scalingLimited: { ...limited.why, limited: limited.replicas !== stabilized },
    recommendations,
  };
}

/** The history with `next` in place of the entry at `replace` (one that aged out), or appended. */
function record(
  history: readonly TimedRecommendation[],
  replace: number,
  next: TimedRecommendation,
): TimedRecommendation[] {
  const kept = [...history];
  if (replace >= 0) kept[replace] = next;
  else kept.push(next);
  return kept;
}

/** getReplicasChangePerPeriod: the replicas the events within the last `periodSeconds` changed. */
function changeWithin(periodSeconds: number, events: readonly ScaleEvent[], nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  let change = 0;
  for (const event of events) if (event.atMs > cutoff) change += event.change;
  return change;
}

/**
 * calculateScaleUpLimitWithScalingRules: the most replicas the policies allow now, each counted
 * from the replicas there were at the start of its period; Max takes the policy allowing the most,
 * Min the least, Disabled allows no change.
 */
export function scaleUpLimit(
  currentReplicas: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: HPAScalingRules,
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const policy of rules.policies ?? []) {
    const periodStart =
      currentReplicas -
      changeWithin(policy.periodSeconds, upEvents, nowMs) +
      changeWithin(policy.periodSeconds, downEvents, nowMs);
    const proposed =
      policy.type === 'Pods'
        ? periodStart + policy.value
        : // Rounded up: a small percentage of a few pods must still let the target grow.
          Math.ceil(periodStart * (1 + policy.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/**
 * calculateScaleDownLimitWithBehaviors: the fewest replicas the policies allow now; Max takes the
 * policy allowing the biggest drop, Min the smallest, Disabled allows no change.
 */
export function scaleDownLimit(
  currentReplicas: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: HPAScalingRules,
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const policy of rules.policies ?? []) {
    const periodStart =
      currentReplicas -
      changeWithin(policy.periodSeconds, upEvents, nowMs) +
      changeWithin(policy.periodSeconds, downEvents, nowMs);
    const proposed =
      policy.type === 'Pods'
        ? periodStart - policy.value
        : Math.trunc(periodStart * (1 - policy.value / 100));
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/**
 * storeScaleEvent: a rescale recorded in its direction's history, dropping the events older than
 * the longest policy period of that direction (upstream reuses the first outdated slot; dropping
 * them all keeps the same sums).
 */
export function recordScaleEvent(
  events: readonly ScaleEvent[],
  change: number,
  rules: HPAScalingRules | undefined,
  nowMs: number,
): ScaleEvent[] {
  const longestMs = Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds)) * 1000;
  return [...events.filter((e) => e.atMs > nowMs - longestMs), { change, atMs: nowMs }];
}
