/** batch/v1 Job: structure and the checks of Kubernetes' `ValidateJob`. */
import type { JobSpec, ObjectMeta } from '../types.js';
import { nonNegative, positive } from './checks.js';
import { child, type FieldErrors } from './field-errors.js';
import { nameIsDNSSubdomain } from './names.js';
import {
  kindShape,
  labelSelectorShape,
  validateLabelSelector,
  validateObjectMeta,
} from './object-meta-schema.js';
import { podTemplateShape, validatePodTemplate } from './pod-schema.js';
import { anyObject, array, boolean, int32, int64, object, required, string, type Shape } from './shape.js';
import { selectorMatchesTemplate } from './workload-schemas.js';

/** A Job's spec, also the spec of a CronJob's jobTemplate. */
export const jobSpecShape = object({
  parallelism: int32(),
  completions: int32(),
  backoffLimit: int32(),
  activeDeadlineSeconds: int64(),
  completionMode: string(),
  suspend: boolean(),
  manualSelector: boolean(),
  selector: labelSelectorShape,
  template: required(podTemplateShape),
  ttlSecondsAfterFinished: int32(),
});

/** A whole Job. */
export const jobShape: Shape = kindShape({
  spec: jobSpecShape,
  status: object(
    {
      active: int32(),
      succeeded: int32(),
      failed: int32(),
      ready: int32(),
      startTime: string(),
      completionTime: string(),
      conditions: array(anyObject()),
    },
    { loose: true },
  ),
});

/**
 * Semantic checks of a whole Job. Its selector is the apiserver's to generate (from the Job's
 * uid, on create) unless `manualSelector` is set, so a Job without one is valid.
 */
export function validateJob(
  errs: FieldErrors,
  job: { metadata?: ObjectMeta; spec?: Partial<JobSpec> },
): void {
  validateObjectMeta(errs, job.metadata, { name: nameIsDNSSubdomain });
  validateJobSpec(errs, 'spec', job.spec ?? {});
}

/** Kubernetes' `ValidateJobSpec` at `path` (a Job's `spec`, a CronJob's `spec.jobTemplate.spec`). */
export function validateJobSpec(errs: FieldErrors, path: string, spec: Partial<JobSpec>): void {
  const at = (field: string) => child(path, field);
  nonNegative(errs, at('parallelism'), spec.parallelism);
  nonNegative(errs, at('completions'), spec.completions);
  nonNegative(errs, at('backoffLimit'), spec.backoffLimit);
  nonNegative(errs, at('ttlSecondsAfterFinished'), spec.ttlSecondsAfterFinished);
  if (spec.activeDeadlineSeconds !== undefined)
    positive(errs, at('activeDeadlineSeconds'), spec.activeDeadlineSeconds);
  if (spec.completionMode !== undefined && spec.completionMode !== 'NonIndexed')
    errs.notSupported(at('completionMode'), spec.completionMode, ['NonIndexed']);
  if (spec.manualSelector && !spec.selector) errs.required(at('selector'), 'with manualSelector');
  if (spec.selector) validateLabelSelector(errs, at('selector'), spec.selector);
  const template = spec.template;
  if (!template) {
    errs.required(at('template'));
    return;
  }
  if (spec.selector) selectorMatchesTemplate(errs, spec.selector, template, path);
  validatePodTemplate(errs, at('template'), template);
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never')
    errs.notSupported(child(child(at('template'), 'spec'), 'restartPolicy'), restartPolicy, [
      'OnFailure',
      'Never',
    ]);
}
