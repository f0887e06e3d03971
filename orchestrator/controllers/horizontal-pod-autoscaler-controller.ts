import { isDeepStrictEqual } from 'node:util';
import { type Informer, type ReconcileLoop, objectKey } from '../api/client/index.js';
import { formatTime } from '../api/clock.js';
import { isApiError } from '../api/errors.js';
import { withCondition } from '../api/pod-helpers.js';
import { findKind, findResource, type ResourceType } from '../api/resources.js';
import { parseLabelSelector } from '../api/selectors/index.js';
import type {
  Condition,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerStatus,
  MetricSpec,
  MetricStatus,
  Pod,
  Scale,
} from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';
import { ResourceMetricsApiSource, type PodMetricsSource } from './pod-metrics-source.js';
import {
  formatMilliQuantity,
  milliValue,
  resourceReplicasForAverageValue,
  resourceReplicasForUtilization,
} from './replica-calculator.js';
import {
  normalizeDesiredReplicas,
  recordScaleEvent,
  type ScaleEvent,
  type TimedRecommendation,
} from './replica-normalization.js';

const HPAS = findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
const PODS = findResource('', 'v1', 'pods')!;

type ConditionStatus = Condition['status'];

/** One metric's proposal: replicas, the metric's name for events, and its current value for status. */
interface MetricProposal {
  replicas: number;
  name: string;
  status: MetricStatus;
}

/** A metric that could not be computed, with the condition upstream sets for it. */
class MetricFailure extends Error {
  override readonly name = 'MetricFailure';
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/**
 * Kubernetes' HorizontalPodAutoscaler controller (pkg/controller/podautoscaler), for Resource
 * metrics. Every sync period each HPA reads its target's `/scale`, the usage of the pods the
 * scale's selector matches from the resource metrics API, and proposes the replicas that bring
 * the average to the target (replica-calculator.ts); the proposal is stabilized, rate-limited
 * and bounded (replica-normalization.ts) and written through `/scale`; then the status
 * (replicas, current metrics, the AbleToScale, ScalingActive and ScalingLimited conditions) and
 * the events. A target scaled to zero is not autoscaled. The recommendation and scale-event
 * histories live in memory, as upstream's: a new leader starts them afresh.
 */
export class HorizontalPodAutoscalerController implements Controller {
  readonly name = 'horizontalpodautoscaling';
  private readonly loop: ReconcileLoop;
  private readonly hpas: Informer<HorizontalPodAutoscaler>;
  private readonly pods: Informer<Pod>;
  private readonly recommendations = new Map<string, TimedRecommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly metrics: PodMetricsSource = new ResourceMetricsApiSource(ctx.client),
  ) {
    this.hpas = ctx.informers.informer<HorizontalPodAutoscaler>(HPAS);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    // As upstream, every add waits a sync period: an HPA is looked at once per period, whatever
    // changed (its own status writes included), and a pending look is not brought forward.
    const enqueue = (hpa: HorizontalPodAutoscaler) => this.enqueueAfterSyncPeriod(objectKey(hpa));
    this.hpas.addHandlers({ add: enqueue, update: (_, hpa) => enqueue(hpa) });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private enqueueAfterSyncPeriod(key: string): void {
    this.loop.queue.addAfter(key, this.ctx.timing.horizontalPodAutoscaler.syncPeriodMs);
  }

  private async reconcile(key: string): Promise<void> {
    const hpa = this.hpas.get(key);
    if (!hpa) {
      this.recommendations.delete(key);
      this.scaleUpEvents.delete(key);
      this.scaleDownEvents.delete(key);
      return;
    }
    if (hpa.metadata.deletionTimestamp) return;
    this.enqueueAfterSyncPeriod(key);
    try {
      await this.reconcileAutoscaler(key, hpa);
    } catch (e) {
      // As upstream, a failure (already in the HPA's conditions and events) waits for the next
      // sync period rather than the work queue's quick retries, which would only repeat it.
      this.ctx.log.warn({ controller: this.name, key, err: (e as Error).message }, 'reconcile failed');
    }
  }

  /** Upstream's reconcileAutoscaler. */
  private async reconcileAutoscaler(key: string, hpa: HorizontalPodAutoscaler): Promise<void> {
    const now = this.ctx.clock.now();
    const nowMs = now.getTime();
    const status: HorizontalPodAutoscalerStatus = structuredClone(hpa.status ?? { desiredReplicas: 0 });
    const setCondition = (
      type: string,
      conditionStatus: ConditionStatus,
      reason: string,
      message: string,
    ) => {
      status.conditions = withCondition(
        status.conditions,
        { type, status: conditionStatus, reason, message },
        formatTime(now),
      );
    };
    const ref = hpa.spec.scaleTargetRef;
    const reference = `${ref.kind}/${ref.name}`;

    let target: ResourceType;
    let scale: Scale;
    try {
      target = this.scaleTargetResource(hpa);
      scale = await this.ctx.client.getPath<Scale>(
        this.ctx.client.path(target, hpa.metadata.namespace, ref.name, 'scale'),
      );
    } catch (e) {
      const message = (e as Error).message;
      setCondition(
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${message}`,
      );
      this.ctx.recorder.event(hpa, 'Warning', 'FailedGetScale', message);
      await this.writeStatus(hpa, status);
      throw new Error(`failed to query scale subresource for ${reference}: ${message}`);
    }
    setCondition(
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
    );

    const currentReplicas = scale.spec.replicas ?? 0;
    const minReplicas = hpa.spec.minReplicas ?? 1;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let metricStatuses: MetricStatus[] = [];
    let rescale = true;
    let metricsError: Error | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false;
      setCondition(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
      );
    } else if (currentReplicas > hpa.spec.maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = hpa.spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, scale, setCondition, nowMs);
      metricStatuses = computed.statuses;
      if (computed.replicas === -1) {
        status.currentReplicas = currentReplicas;
        status.currentMetrics = metricStatuses;
        await this.writeStatus(hpa, status);
        this.ctx.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error!.message);
        throw new Error(
          `failed to compute desired number of replicas based on listed metrics for ${reference}: ${computed.error!.message}`,
        );
      }
      // Some metrics failed but the others may still scale up: go on, and report the failure last.
      metricsError = computed.error;
      desiredReplicas = computed.replicas;
      if (desiredReplicas > currentReplicas) rescaleReason = `${computed.metric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      const normalized = normalizeDesiredReplicas({
        desiredReplicas,
        currentReplicas,
        minReplicas,
        maxReplicas: hpa.spec.maxReplicas,
        nowMs,
        recommendations: this.recommendations.get(key) ?? [],
        downscaleStabilizationMs: this.ctx.timing.horizontalPodAutoscaler.downscaleStabilizationMs,
        behavior: hpa.spec.behavior,
        scaleUpEvents: this.scaleUpEvents.get(key),
        scaleDownEvents: this.scaleDownEvents.get(key),
      });
      this.recommendations.set(key, normalized.recommendations);
      setCondition('AbleToScale', 'True', normalized.ableToScale.reason, normalized.ableToScale.message);
      const limited = normalized.scalingLimited;
      setCondition('ScalingLimited', limited.limited ? 'True' : 'False', limited.reason, limited.message);
      desiredReplicas = normalized.desiredReplicas;
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await this.ctx.client.updateSubresource(
          target,
          { ...scale, spec: { ...scale.spec, replicas: desiredReplicas } },
          'scale',
        );
      } catch (e) {
        const message = (e as Error).message;
        this.ctx.recorder.event(
          hpa,
          'Warning',
          'FailedRescale',
          `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${message}`,
        );
        setCondition(
          'AbleToScale',
          'False',
          'FailedUpdateScale',
          `the HPA controller was unable to update the target scale: ${message}`,
        );
        status.currentReplicas = currentReplicas;
        status.currentMetrics = metricStatuses;
        await this.writeStatus(hpa, status);
        throw new Error(`failed to rescale ${reference}: ${message}`);
      }
      setCondition(
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desiredReplicas}`,
      );
      this.ctx.recorder.event(
        hpa,
        'Normal',
        'SuccessfulRescale',
        `New size: ${desiredReplicas}; reason: ${rescaleReason}`,
      );
      this.storeScaleEvent(key, hpa, currentReplicas, desiredReplicas, nowMs);
      this.ctx.log.info(
        { hpa: key, reference, currentReplicas, desiredReplicas, reason: rescaleReason },
        'rescaled',
      );
    } else {
      desiredReplicas = currentReplicas;
    }
    status.currentReplicas = currentReplicas;
    status.desiredReplicas = desiredReplicas;
    status.currentMetrics = metricStatuses;
    if (status.currentMetrics.length === 0) delete status.currentMetrics;
    if (rescale) status.lastScaleTime = formatTime(now);
    await this.writeStatus(hpa, status);
    if (metricsError) throw metricsError;
  }

  /** The served resource the scale target names, if it has a `/scale` subresource. */
  private scaleTargetResource(hpa: HorizontalPodAutoscaler): ResourceType {
    const { apiVersion = '', kind } = hpa.spec.scaleTargetRef;
    const resource = findKind(apiVersion, kind);
    if (!resource) {
      const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
      throw new Error(
        `unable to determine resource for scale target reference: no matches for kind "${kind}" in group "${group}"`,
      );
    }
    if (!resource.subresources.includes('scale'))
      throw new Error(`${resource.resource}.${resource.group} has no scale subresource`);
    return resource;
  }

  /**
   * Upstream's computeReplicasForMetrics: the highest proposal of the metrics. When every metric
   * failed, or some failed and the rest would scale down, the first failure's condition is set
   * and replicas is -1: nothing is scaled on partial knowledge.
   */
  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: Scale,
    setCondition: (type: string, status: ConditionStatus, reason: string, message: string) => void,
    nowMs: number,
  ): Promise<{ replicas: number; metric: string; statuses: MetricStatus[]; error?: Error }> {
    const specs = hpa.spec.metrics ?? [];
    const specReplicas = scale.spec.replicas ?? 0;
    const selectorText = scale.status?.selector ?? '';
    const statuses = specs.map(() => ({ type: '' }) as unknown as MetricStatus);
    if (!selectorText) {
      const message = 'selector is required';
      this.ctx.recorder.event(hpa, 'Warning', 'SelectorRequired', message);
      setCondition(
        'ScalingActive',
        'False',
        'InvalidSelector',
        "the HPA target's scale is missing a selector",
      );
      return { replicas: -1, metric: '', statuses, error: new Error(message) };
    }
    let selector;
    try {
      selector = parseLabelSelector(selectorText);
    } catch (e) {
      const message = `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`;
      this.ctx.recorder.event(hpa, 'Warning', 'InvalidSelector', message);
      setCondition('ScalingActive', 'False', 'InvalidSelector', message);
      return { replicas: -1, metric: '', statuses, error: new Error(message) };
    }
    const pods = this.pods
      .byIndex('namespace', hpa.metadata.namespace ?? '')
      .filter((pod) => selector.matches(pod.metadata.labels ?? {}));

    let replicas = 0;
    let metric = '';
    let firstFailure: MetricFailure | undefined;
    let failures = 0;
    for (const [i, spec] of specs.entries()) {
      try {
        const proposal = await this.computeResourceMetric(hpa, spec, specReplicas, selectorText, pods, nowMs);
        statuses[i] = proposal.status;
        if (replicas === 0 || proposal.replicas > replicas) {
          replicas = proposal.replicas;
          metric = proposal.name;
        }
      } catch (e) {
        const failure =
          e instanceof MetricFailure ? e : new MetricFailure((e as Error).message, 'FailedGetResourceMetric');
        this.ctx.recorder.event(hpa, 'Warning', failure.reason, failure.message);
        firstFailure ??= failure;
        failures++;
      }
    }
    if (firstFailure) {
      const error = new Error(
        `invalid metrics (${failures} invalid out of ${specs.length}), first error is: ${firstFailure.message}`,
      );
      if (failures >= specs.length || replicas < specReplicas) {
        setCondition(
          'ScalingActive',
          'False',
          firstFailure.reason,
          `the HPA was unable to compute the replica count: ${firstFailure.message}`,
        );
        return { replicas: -1, metric: '', statuses, error };
      }
      setCondition(
        'ScalingActive',
        'True',
        'ValidMetricFound',
        `the HPA was able to successfully calculate a replica count from ${metric}`,
      );
      return { replicas, metric, statuses, error };
    }
    setCondition(
      'ScalingActive',
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${metric}`,
    );
    return { replicas, metric, statuses };
  }

  /** Upstream's computeStatusForResourceMetric: one Resource metric's proposal and current value. */
  private async computeResourceMetric(
    hpa: HorizontalPodAutoscaler,
    spec: MetricSpec,
    currentReplicas: number,
    selector: string,
    pods: readonly Pod[],
    nowMs: number,
  ): Promise<MetricProposal> {
    if (spec.type !== 'Resource' || !spec.resource)
      throw new MetricFailure(`crucible does not serve ${spec.type} metrics`, 'InvalidMetricSourceType');
    const { name: resource, target } = spec.resource;
    const timing = this.ctx.timing.horizontalPodAutoscaler;
    const input = async () => {
      let usage;
      try {
        usage = await this.metrics.podUsage(hpa.metadata.namespace ?? '', selector, resource);
      } catch (e) {
        throw new Error(`unable to get metrics for resource ${resource}: ${(e as Error).message}`);
      }
      return {
        resource,
        currentReplicas,
        pods,
        usage,
        nowMs,
        cpuInitializationPeriodMs: timing.cpuInitializationPeriodMs,
        initialReadinessDelayMs: timing.initialReadinessDelayMs,
      };
    };
    if (target.averageValue !== undefined) {
      try {
        const proposal = resourceReplicasForAverageValue(await input(), milliValue(target.averageValue));
        return {
          replicas: proposal.replicas,
          name: `${resource} resource`,
          status: {
            type: 'Resource',
            resource: {
              name: resource,
              current: { averageValue: formatMilliQuantity(proposal.averageMilliValue) },
            },
          },
        };
      } catch (e) {
        throw new MetricFailure(
          `failed to get ${resource} usage: ${(e as Error).message}`,
          'FailedGetResourceMetric',
        );
      }
    }
    if (target.averageUtilization === undefined)
      throw new MetricFailure(
        'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
        'FailedGetResourceMetric',
      );
    try {
      const proposal = resourceReplicasForUtilization(await input(), target.averageUtilization);
      return {
        replicas: proposal.replicas,
        name: `${resource} resource utilization (percentage of request)`,
        status: {
          type: 'Resource',
          resource: {
            name: resource,
            current: {
              averageUtilization: proposal.utilization,
              averageValue: formatMilliQuantity(proposal.averageMilliValue),
            },
          },
        },
      };
    } catch (e) {
      throw new MetricFailure(
        `failed to get ${resource} utilization: ${(e as Error).message}`,
        'FailedGetResourceMetric',
      );
    }
  }

  /** storeScaleEvent: rate limits count only HPAs with a behavior, as upstream. */
  private storeScaleEvent(
    key: string,
    hpa: HorizontalPodAutoscaler,
    from: number,
    to: number,
    nowMs: number,
  ): void {
    const behavior = hpa.spec.behavior;
    if (!behavior) return;
    if (to > from)
      this.scaleUpEvents.set(
        key,
        recordScaleEvent(this.scaleUpEvents.get(key) ?? [], to - from, behavior.scaleUp, nowMs),
      );
    else if (to < from)
      this.scaleDownEvents.set(
        key,
        recordScaleEvent(this.scaleDownEvents.get(key) ?? [], from - to, behavior.scaleDown, nowMs),
      );
  }

  /** Writes the status when it changed; an HPA deleted meanwhile is no error. */
  private async writeStatus(
    hpa: HorizontalPodAutoscaler,
    status: HorizontalPodAutoscalerStatus,
  ): Promise<void> {
    if (isDeepStrictEqual(status, hpa.status)) return;
    try {
      await this.ctx.client.updateStatus(HPAS, { ...hpa, status });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
}
