/**
 * autoscaling/v1 HorizontalPodAutoscaler as a view of the stored autoscaling/v2 object, converted
 * as upstream's pkg/apis/autoscaling/v1/conversion.go does: v1 has only a cpu utilization target
 * (`targetCPUUtilizationPercentage`), so what v2 holds beyond it (other metrics, behavior, the
 * current metrics and the conditions) travels in `autoscaling.alpha.kubernetes.io/*` annotations,
 * and a v1 client that reads, edits and writes back an HPA loses none of it.
 */
import type {
  Condition,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerBehavior,
  KubeObject,
  MetricSpec,
  MetricStatus,
} from './types.js';

export const AUTOSCALING_V1 = 'autoscaling/v1';
const AUTOSCALING_V2 = 'autoscaling/v2';

/** Upstream's annotation names (autoscaling.MetricSpecsAnnotation and the rest). */
const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';

/** autoscaling/v1's HorizontalPodAutoscaler. */
export interface HorizontalPodAutoscalerV1 extends KubeObject {
  spec: {
    scaleTargetRef: HorizontalPodAutoscaler['spec']['scaleTargetRef'];
    minReplicas?: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage?: number;
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas?: number;
    desiredReplicas?: number;
    currentCPUUtilizationPercentage?: number;
  };
}

/** The annotated metric shapes: autoscaling/v1's alpha MetricSpec and MetricStatus, Resource only. */
interface V1MetricSpec {
  type: string;
  resource?: { name: string; targetAverageUtilization?: number; targetAverageValue?: string };
}
interface V1MetricStatus {
  type: string;
  resource?: { name: string; currentAverageUtilization?: number; currentAverageValue?: string };
}

const isCpuUtilization = (m: MetricSpec) =>
  m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target.averageUtilization !== undefined;

/** The stored v2 object as a v1 client reads it. */
export function horizontalPodAutoscalerToV1(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscalerV1 {
  const metrics = hpa.spec?.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  const status = hpa.status;
  const annotations: Record<string, string> = { ...hpa.metadata.annotations };
  if (others.length > 0) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(others);
  if (status?.currentMetrics?.length)
    annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(status.currentMetrics.map(metricStatusToV1));
  if (hpa.spec?.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(hpa.spec.behavior);
  if (status?.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
  const currentCpu = status?.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const v1: HorizontalPodAutoscalerV1 = {
    ...hpa,
    apiVersion: AUTOSCALING_V1,
    kind: 'HorizontalPodAutoscaler',
    metadata: { ...hpa.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      scaleTargetRef: hpa.spec?.scaleTargetRef,
      ...(hpa.spec?.minReplicas !== undefined ? { minReplicas: hpa.spec.minReplicas } : {}),
      maxReplicas: hpa.spec?.maxReplicas,
      ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource!.target.averageUtilization } : {}),
    },
  };
  if (status) {
    v1.status = {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(currentCpu?.resource?.current.averageUtilization !== undefined
        ? { currentCPUUtilizationPercentage: currentCpu.resource.current.averageUtilization }
        : {}),
    };
  }
  return v1;
}

/** A v1 object as it is stored: v2, with what the annotations carried restored. */
export function horizontalPodAutoscalerFromV1(
  v1: Partial<HorizontalPodAutoscalerV1>,
): HorizontalPodAutoscaler {
  const annotations: Record<string, string> = { ...v1.metadata?.annotations };
  const take = <T>(name: string): T | undefined => {
    const text = annotations[name];
    if (text === undefined) return undefined;
    try {
      const value = JSON.parse(text) as T;
      delete annotations[name];
      return value;
    } catch {
      // Upstream leaves an annotation it cannot read where it is.
      return undefined;
    }
  };
  const spec = v1.spec ?? ({} as HorizontalPodAutoscalerV1['spec']);
  const metrics: MetricSpec[] = (take<V1MetricSpec[]>(METRIC_SPECS_ANNOTATION) ?? []).map(metricSpecFromV1);
  if (spec.targetCPUUtilizationPercentage !== undefined)
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage },
      },
    });
  const behavior = take<HorizontalPodAutoscalerBehavior>(BEHAVIOR_ANNOTATION);
  const currentMetrics = take<V1MetricStatus[]>(METRIC_STATUSES_ANNOTATION)?.map(metricStatusFromV1);
  const conditions = take<Condition[]>(CONDITIONS_ANNOTATION);
  const metadata = { ...v1.metadata };
  delete metadata.annotations;
  const hpa: HorizontalPodAutoscaler = {
    apiVersion: AUTOSCALING_V2,
    kind: 'HorizontalPodAutoscaler',
    metadata: { ...metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(metrics.length ? { metrics } : {}),
      ...(behavior ? { behavior } : {}),
    },
  };
  if (v1.status) {
    const s = v1.status;
    const cpuNow =
      s.currentCPUUtilizationPercentage === undefined
        ? []
        : [
            {
              type: 'Resource' as const,
              resource: { name: 'cpu', current: { averageUtilization: s.currentCPUUtilizationPercentage } },
            },
          ];
    hpa.status = {
      ...(s.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}),
      ...(s.lastScaleTime ? { lastScaleTime: s.lastScaleTime } : {}),
      ...(s.currentReplicas !== undefined ? { currentReplicas: s.currentReplicas } : {}),
      desiredReplicas: s.desiredReplicas ?? 0,
      ...((currentMetrics ?? cpuNow).length ? { currentMetrics: currentMetrics ?? cpuNow } : {}),
      ...(conditions ? { conditions } : {}),
    };
  }
  return hpa;
}

function metricSpecToV1(m: MetricSpec): V1MetricSpec {
  if (m.type !== 'Resource' || !m.resource) return { type: m.type };
  const { name, target } = m.resource;
  return {
    type: 'Resource',
    resource: {
      name,
      ...(target.averageUtilization !== undefined
        ? { targetAverageUtilization: target.averageUtilization }
        : {}),
      ...(target.averageValue !== undefined ? { targetAverageValue: target.averageValue } : {}),
    },
  };
}

function metricSpecFromV1(m: V1MetricSpec): MetricSpec {
  if (m.type !== 'Resource' || !m.resource) return { type: m.type as MetricSpec['type'] };
  const { name, targetAverageUtilization, targetAverageValue } = m.resource;
  return {
    type: 'Resource',
    resource: {
      name,
      target:
        targetAverageValue !== undefined
          ? { type: 'AverageValue', averageValue: targetAverageValue }
          : { type: 'Utilization', averageUtilization: targetAverageUtilization },
    },
  };
}

function metricStatusToV1(m: MetricStatus): V1MetricStatus {
  if (m.type !== 'Resource' || !m.resource) return { type: m.type };
  const { averageUtilization, averageValue } = m.resource.current;
  return {
    type: 'Resource',
    resource: {
      name: m.resource.name,
      ...(averageUtilization !== undefined ? { currentAverageUtilization: averageUtilization } : {}),
      ...(averageValue !== undefined ? { currentAverageValue: averageValue } : {}),
    },
  };
}

function metricStatusFromV1(m: V1MetricStatus): MetricStatus {
  if (m.type !== 'Resource' || !m.resource) return { type: m.type as MetricStatus['type'] };
  const { name, currentAverageUtilization, currentAverageValue } = m.resource;
  return {
    type: 'Resource',
    resource: {
      name,
      current: {
        ...(currentAverageUtilization !== undefined ? { averageUtilization: currentAverageUtilization } : {}),
        ...(currentAverageValue !== undefined ? { averageValue: currentAverageValue } : {}),
      },
    },
  };
}
