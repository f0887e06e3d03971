/**
 * Upstream's replica calculator (pkg/controller/podautoscaler/replica_calculator.go) for Resource
 * metrics: how many replicas would bring the pods' average usage to the target. Pure: the pods,
 * their sampled usage and the time are given. Every amount is in milli-units (millicores,
 * millibytes), as upstream's Quantity.MilliValue.
 */
import { podCondition } from '../api/pod-helpers.js';
import type { Pod } from '../api/types.js';
import { quantityValue } from '../api/schemas/index.js';

/** Upstream's default --horizontal-pod-autoscaler-tolerance: a usage ratio within 10% of 1 changes nothing. */
export const DEFAULT_TOLERANCE = 0.1;

/** One pod's usage of one resource, summed over its containers, and when and over what window it was sampled. */
export interface PodUsage {
  milliValue: number;
  timestampMs: number;
  windowMs: number;
}

/** Why no replica count could be computed; the message is upstream's. */
export class ReplicaCalculationError extends Error {
  override readonly name = 'ReplicaCalculationError';
}

/** What the calculator is given besides the pods and their usage. */
export interface ReplicaCalculationInput {
  resource: string;
  currentReplicas: number;
  pods: readonly Pod[];
  /** Usage by pod name; pods without a sample are missing. */
  usage: ReadonlyMap<string, PodUsage>;
  nowMs: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
  tolerance?: number;
}

/** The proposal for a Utilization target: replicas, and the current utilization (percent) and average (milli). */
export interface UtilizationProposal {
  replicas: number;
  utilization: number;
  averageMilliValue: number;
}

/** The proposal for an AverageValue target: replicas and the current average (milli). */
export interface AverageValueProposal {
  replicas: number;
  averageMilliValue: number;
}

/** A quantity in milli-units, rounded up as Quantity.MilliValue does (`123456789n` of cpu → 124). */
export function milliValue(quantity: string | number): number {
  const value = quantityValue(quantity);
  if (value === undefined) throw new RangeError(`not a quantity: ${JSON.stringify(quantity)}`);
  const milli = value * 1000;
  const nearest = Math.round(milli);
  return Math.abs(milli - nearest) < 1e-6 ? nearest : Math.ceil(milli);
}

/** A milli-amount as resource.NewMilliQuantity(v, DecimalSI).String() prints it: `250m`, `2`, `12k`. */
export function formatMilliQuantity(milli: number): string {
  if (milli % 1000 !== 0) return `${milli}m`;
  let whole = milli / 1000;
  if (whole === 0) return '0';
  for (const suffix of ['', 'k', 'M', 'G', 'T', 'P']) {
    if (whole % 1000 !== 0 || suffix === 'P') return `${whole}${suffix}`;
    whole /= 1000;
  }
  return `${whole}E`;
}

/**
 * GetResourceReplicas: replicas for a target utilization (percent of the pods' requests). Pods
 * being deleted and failed pods are ignored; pending and (for cpu) not yet trustworthy pods are
 * unready; pods without a sample are missing. Within the tolerance nothing changes. Missing pods
 * count as using nothing on a scale-up and their whole request on a scale-down, unready pods as
 * using nothing on a scale-up; a proposal that those assumptions would turn round is dropped.
 */
export function resourceReplicasForUtilization(
  input: ReplicaCalculationInput,
  targetUtilization: number,
): UtilizationProposal {
  const { pods, resource, currentReplicas } = input;
  if (pods.length === 0)
    throw new ReplicaCalculationError('no pods returned by selector while calculating replica count');
  const groups = groupPods(input);
  const usage = usableUsage(input.usage, groups);
  const requests = podRequests(pods, resource);
  const first = utilizationRatio(usage, requests, targetUtilization);
  const current = { utilization: first.utilization, averageMilliValue: first.averageMilliValue };
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE;

  const scaleUpWithUnready = groups.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= tolerance) return { replicas: currentReplicas, ...current };
    return { replicas: Math.ceil(first.ratio * groups.readyCount), ...current };
  }
  if (first.ratio < 1) {
    // On a scale-down a missing pod is taken to use its whole request (or the target, if higher).
    const fallback = Math.max(100, targetUtilization);
    for (const pod of groups.missing) usage.set(pod, Math.trunc(((requests.get(pod) ?? 0) * fallback) / 100));
  } else if (first.ratio > 1) {
    for (const pod of groups.missing) usage.set(pod, 0);
  }
  if (scaleUpWithUnready) for (const pod of groups.unready) usage.set(pod, 0);
  const second = utilizationRatio(usage, requests, targetUtilization);
  const replicas = settle(first.ratio, second.ratio, usage.size, currentReplicas, tolerance);
  return { replicas, ...current };
}

/**
 * GetRawResourceReplicas: replicas for a target average value per pod (milli-units), with the
 * same treatment of ignored, unready and missing pods; a missing pod on a scale-down is taken to
 * use exactly the target.
 */
export function resourceReplicasForAverageValue(
  input: ReplicaCalculationInput,
  targetMilliValue: number,
): AverageValueProposal {
  const { pods, currentReplicas } = input;
  if (pods.length === 0)
    throw new ReplicaCalculationError('no pods returned by selector while calculating replica count');
  const groups = groupPods(input);
  const usage = usableUsage(input.usage, groups);
  const tolerance = input.tolerance ?? DEFAULT_TOLERANCE;
  const first = usageRatio(usage, targetMilliValue);
  const averageMilliValue = first.averageMilliValue;

  const scaleUpWithUnready = groups.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= tolerance) return { replicas: currentReplicas, averageMilliValue };
    return { replicas: Math.ceil(first.ratio * groups.readyCount), averageMilliValue };
  }
  for (const pod of groups.missing) usage.set(pod, first.ratio < 1 ? targetMilliValue : 0);
  if (scaleUpWithUnready) for (const pod of groups.unready) usage.set(pod, 0);
  const second = usageRatio(usage, targetMilliValue);
  const replicas = settle(first.ratio, second.ratio, usage.size, currentReplicas, tolerance);
  return { replicas, averageMilliValue };
}

/**
 * The second pass, once missing and unready pods were given assumed usage: no change within the
 * tolerance or when the assumptions reverse the direction; else the ratio over every pod counted.
 */
function settle(
  firstRatio: number,
  secondRatio: number,
  podsCounted: number,
  currentReplicas: number,
  tolerance: number,
): number {
  if (
    Math.abs(1 - secondRatio) <= tolerance ||
    (firstRatio < 1 && secondRatio > 1) ||
    (firstRatio > 1 && secondRatio < 1)
  )
    return currentReplicas;
  const replicas = Math.ceil(secondRatio * podsCounted);
  if ((secondRatio < 1 && replicas > currentReplicas) || (secondRatio > 1 && replicas < currentReplicas))
    return currentReplicas;
  return replicas;
}

interface PodGroups {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/**
 * groupPods: deleted and failed pods are ignored, pending ones unready, those without a sample
 * missing. For cpu, a pod is also unready when it is not Ready or has no start time; within the
 * cpu initialization period, when it is not Ready or its sample was taken (at least partly) before
 * it became Ready; after it, when it is not Ready and has never been (its readiness last changed
 * within the initial readiness delay of its start).
 */
function groupPods(input: ReplicaCalculationInput): PodGroups {
  const groups: PodGroups = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of input.pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      groups.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      groups.unready.add(name);
      continue;
    }
    const sample = input.usage.get(name);
    if (!sample) {
      groups.missing.add(name);
      continue;
    }
    if (input.resource === 'cpu' && cpuSampleUntrusted(pod, sample, input)) {
      groups.unready.add(name);
      continue;
    }
    groups.readyCount++;
  }
  return groups;
}

function cpuSampleUntrusted(pod: Pod, sample: PodUsage, input: ReplicaCalculationInput): boolean {
  const ready = podCondition(pod, 'Ready');
  const startMs = Date.parse(pod.status?.startTime ?? '');
  if (!ready || Number.isNaN(startMs)) return true;
  const transitionMs = Date.parse(ready.lastTransitionTime ?? '') || 0;
  if (startMs + input.cpuInitializationPeriodMs > input.nowMs)
    return ready.status === 'False' || sample.timestampMs < transitionMs + sample.windowMs;
  return ready.status === 'False' && startMs + input.initialReadinessDelayMs > transitionMs;
}

/** The samples of the pods that count: without the ignored and unready ones (a fresh, mutable copy). */
function usableUsage(usage: ReadonlyMap<string, PodUsage>, groups: PodGroups): Map<string, number> {
  const usable = new Map<string, number>();
  for (const [pod, sample] of usage)
    if (!groups.ignored.has(pod) && !groups.unready.has(pod)) usable.set(pod, sample.milliValue);
  if (usable.size === 0)
    throw new ReplicaCalculationError('did not receive metrics for targeted pods (pods might be unready)');
  return usable;
}

/**
 * calculatePodRequests: each pod's request of `resource` summed over its containers (and
 * restartable init containers); a container without one fails the metric.
 */
export function podRequests(pods: readonly Pod[], resource: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    let sum = 0;
    for (const c of [...pod.spec.containers, ...sidecars]) {
      const request = c.resources?.requests?.[resource];
      if (request === undefined)
        throw new ReplicaCalculationError(
          `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`,
        );
      sum += milliValue(request);
    }
    requests.set(pod.metadata.name ?? '', sum);
  }
  return requests;
}

/** GetResourceUtilizationRatio: utilization = usage over requests (whole percent), and its ratio to the target. */
function utilizationRatio(
  usage: ReadonlyMap<string, number>,
  requests: ReadonlyMap<string, number>,
  targetUtilization: number,
): { ratio: number; utilization: number; averageMilliValue: number } {
  let usageTotal = 0;
  let requestsTotal = 0;
  let counted = 0;
  for (const [pod, value] of usage) {
    const request = requests.get(pod);
    // A sample of a pod that was not listed is extraneous.
    if (request === undefined) continue;
    usageTotal += value;
    requestsTotal += request;
    counted++;
  }
  if (requestsTotal === 0) throw new ReplicaCalculationError('no metrics returned matched known pods');
  const utilization = Math.trunc((usageTotal * 100) / requestsTotal);
  return {
    ratio: utilization / targetUtilization,
    utilization,
    averageMilliValue: Math.trunc(usageTotal / counted),
  };
}

/** GetMetricUsageRatio: the average usage per pod and its ratio to the target. */
function usageRatio(
  usage: ReadonlyMap<string, number>,
  targetMilliValue: number,
): { ratio: number; averageMilliValue: number } {
  let total = 0;
  for (const value of usage.values()) total += value;
  const averageMilliValue = Math.trunc(total / usage.size);
  return { ratio: averageMilliValue / targetMilliValue, averageMilliValue };
}
