/**
 * apps/v1 Deployment and ReplicaSet: structure and the checks of Kubernetes'
 * `ValidateDeploymentSpec` / `ValidateReplicaSetSpec`.
 */
import { labelSelectorFromObject } from '../selectors/label-selector.js';
import type { DeploymentSpec, LabelSelector, ObjectMeta } from '../types.js';
import { intOrPercent, nonNegative, notMoreThan100Percent } from './checks.js';
import { child, type FieldErrors } from './field-errors.js';
import { nameIsDNSSubdomain } from './names.js';
import {
  kindShape,
  labelSelectorShape,
  validateLabelSelector,
  validateObjectMeta,
} from './object-meta-schema.js';
import { podTemplateShape, validatePodTemplate, type PodTemplateIn } from './pod-schema.js';
import {
  anyObject,
  array,
  boolean,
  int32,
  int64,
  intOrString,
  object,
  required,
  string,
  type Shape,
} from './shape.js';

export const workloadStatus = object(
  {
    observedGeneration: int64(),
    replicas: int32(),
    updatedReplicas: int32(),
    readyReplicas: int32(),
    availableReplicas: int32(),
    unavailableReplicas: int32(),
    fullyLabeledReplicas: int32(),
    terminatingReplicas: int32(),
    conditions: array(anyObject()),
    collisionCount: int32(),
  },
  { loose: true },
);

/** A whole Deployment. */
export const deploymentShape: Shape = kindShape({
  spec: object({
    replicas: int32(),
    selector: required(labelSelectorShape),
    template: required(podTemplateShape),
    strategy: object({
      type: string(),
      rollingUpdate: object({ maxUnavailable: intOrString(), maxSurge: intOrString() }),
    }),
    minReadySeconds: int32(),
    revisionHistoryLimit: int32(),
    paused: boolean(),
    progressDeadlineSeconds: int32(),
  }),
  status: workloadStatus,
});

/** A whole ReplicaSet. */
export const replicaSetShape: Shape = kindShape({
  spec: object({
    replicas: int32(),
    minReadySeconds: int32(),
    selector: required(labelSelectorShape),
    template: podTemplateShape,
  }),
  status: workloadStatus,
});

export interface WorkloadSpecIn {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplateIn & { spec?: { restartPolicy?: string; activeDeadlineSeconds?: number } };
  minReadySeconds?: number;
}

/**
 * A workload's `selector` must select its own template's pods (at `specPath`: `spec` for the
 * apps/v1 kinds and Jobs, `spec.jobTemplate.spec` for a CronJob's Jobs): checked once the selector
 * and the labels are each valid.
 */
export function selectorMatchesTemplate(
  errs: FieldErrors,
  selector: LabelSelector,
  template: { metadata?: { labels?: Record<string, string> } },
  specPath = 'spec',
): void {
  const selectorPath = `${specPath}.selector`;
  const labelsPath = `${specPath}.template.metadata.labels`;
  if (errs.hasAt(selectorPath) || errs.hasAt(labelsPath)) return;
  let matches = true;
  try {
    const parsed = labelSelectorFromObject(selector);
    matches = parsed.matchesEverything || parsed.matches(template.metadata?.labels);
  } catch {
    errs.invalid(selectorPath, selector, 'invalid label selector');
  }
  if (!matches)
    errs.invalid(labelsPath, template.metadata?.labels ?? {}, '`selector` does not match template `labels`');
}

/**
 * Selector, template and their agreement, shared by the apps/v1 workloads; `kind` as upstream's
 * messages spell it (`replicaset` in one, `ReplicaSet` in the other).
 */
export function validateSelectorAndTemplate(
  errs: FieldErrors,
  spec: WorkloadSpecIn,
  kind: string,
  kindTitle = 'ReplicaSet',
): void {
  const selectorPath = 'spec.selector';
  if (!spec.selector) {
    errs.required(selectorPath);
  } else {
    validateLabelSelector(errs, selectorPath, spec.selector);
    if (
      Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions?.length ?? 0) ===
      0
    ) {
      errs.invalid(selectorPath, spec.selector, `empty selector is invalid for ${kind}`);
    }
  }

  const templatePath = 'spec.template';
  if (!spec.template) {
    errs.required(templatePath);
    return;
  }
  if (spec.selector) selectorMatchesTemplate(errs, spec.selector, spec.template);
  validatePodTemplate(errs, templatePath, spec.template);
  const restartPolicy = spec.template.spec?.restartPolicy;
  // An unknown policy has already been reported against the three pod policies.
  if (restartPolicy === 'OnFailure' || restartPolicy === 'Never') {
    errs.notSupported(child(child(templatePath, 'spec'), 'restartPolicy'), restartPolicy, ['Always']);
  }
  const deadline = spec.template.spec?.activeDeadlineSeconds;
  if (deadline !== undefined) {
    errs.invalid(
      child(child(templatePath, 'spec'), 'activeDeadlineSeconds'),
      deadline,
      `activeDeadlineSeconds in ${kindTitle} is not Supported`,
    );
  }
}

// Absent values are about to be defaulted to 25%, so only explicit zeros count as zero.
const isZero = (v: number | string | undefined) => v === 0 || (typeof v === 'string' && /^0+%$/.test(v));

function validateStrategy(errs: FieldErrors, strategy: DeploymentSpec['strategy']): void {
  const path = 'spec.strategy';
  const type = strategy?.type as string | undefined;
  const ru = strategy?.rollingUpdate;
  switch (type) {
    case undefined:
    case 'RollingUpdate':
      break;
    case 'Recreate':
      if (ru)
        errs.forbidden(
          child(path, 'rollingUpdate'),
          "may not be specified when strategy `type` is 'Recreate'",
        );
      return;
    default:
      errs.notSupported(child(path, 'type'), type, ['Recreate', 'RollingUpdate']);
      return;
  }
  if (!ru) return;
  const ruPath = child(path, 'rollingUpdate');
  intOrPercent(errs, child(ruPath, 'maxUnavailable'), ru.maxUnavailable);
  intOrPercent(errs, child(ruPath, 'maxSurge'), ru.maxSurge);
  if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
    errs.invalid(child(ruPath, 'maxUnavailable'), ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
  }
  notMoreThan100Percent(errs, child(ruPath, 'maxUnavailable'), ru.maxUnavailable);
}

/** Semantic checks of a whole Deployment. */
export function validateDeployment(
  errs: FieldErrors,
  d: { metadata?: ObjectMeta; spec?: Partial<DeploymentSpec> },
): void {
  validateObjectMeta(errs, d.metadata, { name: nameIsDNSSubdomain });
  const spec = d.spec ?? {};
  nonNegative(errs, 'spec.replicas', spec.replicas);
  validateSelectorAndTemplate(errs, spec as WorkloadSpecIn, 'deployment');
  validateStrategy(errs, spec.strategy);
  nonNegative(errs, 'spec.minReadySeconds', spec.minReadySeconds);
  nonNegative(errs, 'spec.revisionHistoryLimit', spec.revisionHistoryLimit);
  if (spec.progressDeadlineSeconds !== undefined) {
    nonNegative(errs, 'spec.progressDeadlineSeconds', spec.progressDeadlineSeconds);
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.invalid(
        'spec.progressDeadlineSeconds',
        spec.progressDeadlineSeconds,
        'must be greater than minReadySeconds',
      );
    }
  }
}

/** Semantic checks of a whole ReplicaSet. */
export function validateReplicaSet(
  errs: FieldErrors,
  rs: { metadata?: ObjectMeta; spec?: WorkloadSpecIn },
): void {
  validateObjectMeta(errs, rs.metadata, { name: nameIsDNSSubdomain });
  const spec = rs.spec ?? {};
  nonNegative(errs, 'spec.replicas', spec.replicas);
  nonNegative(errs, 'spec.minReadySeconds', spec.minReadySeconds);
  validateSelectorAndTemplate(errs, spec, 'replicaset');
}
