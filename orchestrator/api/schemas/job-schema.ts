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

/** A whole Job. */
export const jobShape: Shape = kindShape({
  spec: object({
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
  }),
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
  const spec = job.spec ?? {};
  nonNegative(errs, 'spec.parallelism', spec.parallelism);
  nonNegative(errs, 'spec.completions', spec.completions);
  nonNegative(errs, 'spec.backoffLimit', spec.backoffLimit);
  if (spec.activeDeadlineSeconds !== undefined)
    positive(errs, 'spec.activeDeadlineSeconds', spec.activeDeadlineSeconds);
  if (spec.completionMode !== undefined && spec.completionMode !== 'NonIndexed')
    errs.notSupported('spec.completionMode', spec.completionMode, ['NonIndexed']);
  if (spec.manualSelector && !spec.selector) errs.required('spec.selector', 'with manualSelector');
  if (spec.selector) validateLabelSelector(errs, 'spec.selector', spec.selector);
  const template = spec.template;
  if (!template) {
    errs.required('spec.template');
    return;
  }
  if (spec.selector) selectorMatchesTemplate(errs, spec.selector, template);
  validatePodTemplate(errs, 'spec.template', template);
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never')
    errs.notSupported(child(child('spec.template', 'spec'), 'restartPolicy'), restartPolicy, [
      'OnFailure',
      'Never',
    ]);
}
