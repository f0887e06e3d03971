/**
 * autoscaling/v2 HorizontalPodAutoscaler: structure and the checks of Kubernetes'
 * `ValidateHorizontalPodAutoscaler`, narrowed to what crucible serves: Resource metrics (cpu and
 * memory) only. The other metric sources need a custom or external metrics API crucible does not
 * have, so they are refused rather than admitted and silently never acted on.
 */
import type {
  CrossVersionObjectReference,
  HPAScalingRules,
  HorizontalPodAutoscalerSpec,
  MetricSpec,
  MetricTarget,
  ObjectMeta,
} from '../types.js';
import { eachInvalid, oneOf } from './checks.js';
import { child, index, type FieldErrors } from './field-errors.js';
import { isValidPathSegmentName, nameIsDNSSubdomain } from './names.js';
import { kindShape, validateObjectMeta } from './object-meta-schema.js';
import { quantityValue } from './quantity.js';
import { anyObject, array, int32, int64, object, quantity, required, string, type Shape } from './shape.js';

/** Upstream's MaxPeriodSeconds: the longest window a scaling policy may count changes over. */
const MAX_PERIOD_SECONDS = 1800;
/** Upstream's MaxStabilizationWindowSeconds. */
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
/** The resources whose usage the resource metrics API reports. */
const SERVED_RESOURCES = ['cpu', 'memory'] as const;
const METRIC_SOURCE_TYPES = ['Object', 'Pods', 'Resource', 'ContainerResource', 'External'];

const metricTargetShape = object({
  type: required(string()),
  value: quantity(),
  averageValue: quantity(),
  averageUtilization: int32(),
});

const scalingRulesShape = object({
  stabilizationWindowSeconds: int32(),
  selectPolicy: string(),
  policies: array(
    object({ type: required(string()), value: required(int32()), periodSeconds: required(int32()) }),
  ),
});

/** A whole HorizontalPodAutoscaler. */
export const horizontalPodAutoscalerShape: Shape = kindShape({
  spec: object({
    scaleTargetRef: required(object({ kind: string(), name: string(), apiVersion: string() })),
    minReplicas: int32(),
    maxReplicas: required(int32()),
    metrics: array(
      object({
        type: string(),
        resource: object({ name: string(), target: required(metricTargetShape) }),
        // Known so that they are refused by name below, not reported as unknown fields.
        pods: anyObject(),
        object: anyObject(),
        external: anyObject(),
        containerResource: anyObject(),
      }),
    ),
    behavior: object({ scaleUp: scalingRulesShape, scaleDown: scalingRulesShape }),
  }),
  status: object(
    {
      observedGeneration: int64(),
      lastScaleTime: string(),
      currentReplicas: int32(),
      desiredReplicas: int32(),
      currentMetrics: array(anyObject()),
      conditions: array(anyObject()),
    },
    { loose: true },
  ),
});

/** Semantic checks of a whole HorizontalPodAutoscaler. */
export function validateHorizontalPodAutoscaler(
  errs: FieldErrors,
  hpa: { metadata?: ObjectMeta; spec?: Partial<HorizontalPodAutoscalerSpec> },
): void {
  validateObjectMeta(errs, hpa.metadata, { name: nameIsDNSSubdomain });
  const spec = hpa.spec ?? {};
  // 0 is allowed upstream only behind the HPAScaleToZero alpha gate, which crucible does not have.
  if (spec.minReplicas !== undefined && spec.minReplicas < 1)
    errs.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1');
  if (spec.maxReplicas !== undefined) {
    if (spec.maxReplicas < 1) errs.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than 0');
    else if (spec.minReplicas !== undefined && spec.maxReplicas < spec.minReplicas)
      errs.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`');
  }
  if (spec.scaleTargetRef) validateScaleTargetRef(errs, 'spec.scaleTargetRef', spec.scaleTargetRef);
  spec.metrics?.forEach((metric, i) => validateMetricSpec(errs, index('spec.metrics', i), metric));
  if (spec.behavior?.scaleUp) validateScalingRules(errs, 'spec.behavior.scaleUp', spec.behavior.scaleUp);
  if (spec.behavior?.scaleDown)
    validateScalingRules(errs, 'spec.behavior.scaleDown', spec.behavior.scaleDown);
}

/** Upstream's ValidateCrossVersionObjectReference. */
function validateScaleTargetRef(
  errs: FieldErrors,
  path: string,
  ref: Partial<CrossVersionObjectReference>,
): void {
  if (!ref.kind) errs.required(child(path, 'kind'));
  else eachInvalid(errs, child(path, 'kind'), ref.kind, isValidPathSegmentName(ref.kind));
  if (!ref.name) errs.required(child(path, 'name'));
  else eachInvalid(errs, child(path, 'name'), ref.name, isValidPathSegmentName(ref.name));
}

function validateMetricSpec(errs: FieldErrors, path: string, metric: Partial<MetricSpec>): void {
  const typePath = child(path, 'type');
  if (!metric.type) {
    errs.required(typePath, 'must specify a metric source type');
    return;
  }
  if (!METRIC_SOURCE_TYPES.includes(metric.type)) {
    errs.invalid(
      typePath,
      metric.type,
      'must be either Object, Pods, Resource, ContainerResource, or External',
    );
    return;
  }
  if (metric.type !== 'Resource') {
    errs.forbidden(
      typePath,
      `crucible does not serve ${metric.type} metrics (there is no custom or external metrics API): only Resource metrics of cpu and memory from metrics.k8s.io`,
    );
    return;
  }
  const source = metric.resource;
  if (!source) {
    errs.required(child(path, 'resource'), 'must populate information for the given metric source');
    return;
  }
  const namePath = child(child(path, 'resource'), 'name');
  if (!source.name) errs.required(namePath, 'must specify a resource name');
  else oneOf(errs, namePath, source.name, SERVED_RESOURCES);
  validateResourceTarget(errs, child(child(path, 'resource'), 'target'), source.target ?? {});
}

/** Upstream's validateMetricTarget plus the Resource source's own rule: utilization or average value, one. */
function validateResourceTarget(errs: FieldErrors, path: string, target: Partial<MetricTarget>): void {
  const typePath = child(path, 'type');
  if (!target.type) errs.required(typePath, 'must specify a metric target type');
  else if (!['Utilization', 'Value', 'AverageValue'].includes(target.type))
    errs.invalid(typePath, target.type, 'must be either Utilization, Value, or AverageValue');
  const positiveQuantity = (field: 'value' | 'averageValue') => {
    const q = target[field];
    if (q !== undefined && !((quantityValue(q) ?? 0) > 0))
      errs.invalid(child(path, field), q, 'must be positive');
  };
  positiveQuantity('value');
  positiveQuantity('averageValue');
  if (target.averageUtilization !== undefined && target.averageUtilization < 1)
    errs.invalid(child(path, 'averageUtilization'), target.averageUtilization, 'must be greater than 0');
  if (target.averageUtilization === undefined && target.averageValue === undefined)
    errs.required(
      child(path, 'averageUtilization'),
      'must set either a target raw value or a target utilization',
    );
  if (target.averageUtilization !== undefined && target.averageValue !== undefined)
    errs.forbidden(
      child(path, 'averageValue'),
      'may not set both a target raw value and a target utilization',
    );
  if (target.value !== undefined)
    errs.forbidden(
      child(path, 'value'),
      'a Resource metric is averaged over pods: set averageValue or averageUtilization',
    );
}

/** Upstream's validateScalingRules. */
function validateScalingRules(errs: FieldErrors, path: string, rules: HPAScalingRules): void {
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined) {
    if (window < 0)
      errs.invalid(
        child(path, 'stabilizationWindowSeconds'),
        window,
        'must be greater than or equal to zero',
      );
    if (window > MAX_STABILIZATION_WINDOW_SECONDS)
      errs.invalid(
        child(path, 'stabilizationWindowSeconds'),
        window,
        `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`,
      );
  }
  oneOf(errs, child(path, 'selectPolicy'), rules.selectPolicy, ['Max', 'Min', 'Disabled']);
  const policiesPath = child(path, 'policies');
  if (rules.policies !== undefined && rules.policies.length === 0)
    errs.required(policiesPath, 'must specify at least one Policy');
  rules.policies?.forEach((policy, i) => {
    const at = (field: string) => child(index(policiesPath, i), field);
    oneOf(errs, at('type'), policy.type, ['Pods', 'Percent']);
    if (policy.value <= 0) errs.invalid(at('value'), policy.value, 'must be greater than zero');
    if (policy.periodSeconds <= 0)
      errs.invalid(at('periodSeconds'), policy.periodSeconds, 'must be greater than zero');
    if (policy.periodSeconds > MAX_PERIOD_SECONDS)
      errs.invalid(
        at('periodSeconds'),
        policy.periodSeconds,
        `must be less than or equal to ${MAX_PERIOD_SECONDS}`,
      );
  });
}
