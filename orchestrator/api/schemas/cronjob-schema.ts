/** batch/v1 CronJob: structure and the checks of Kubernetes' `ValidateCronJobCreate`. */
import { CronScheduleError, checkTimeZone, parseCronSchedule } from '../cron-schedule.js';
import type { CronJobSpec, ObjectMeta } from '../types.js';
import { nonNegative, oneOf } from './checks.js';
import type { FieldErrors } from './field-errors.js';
import { jobSpecShape, validateJobSpec } from './job-schema.js';
import { nameIsDNSSubdomain } from './names.js';
import {
  kindShape,
  objectMetaShape,
  validateObjectMeta,
  validateTemplateMeta,
} from './object-meta-schema.js';
import { array, anyObject, boolean, int32, int64, object, required, string, type Shape } from './shape.js';

/** A CronJob's Jobs are named `<name>-<minutes>`: 11 characters more must still make a name. */
const MAX_CRONJOB_NAME_LENGTH = 52;

/** A whole CronJob. */
export const cronJobShape: Shape = kindShape({
  spec: object({
    schedule: required(string()),
    timeZone: string(),
    startingDeadlineSeconds: int64(),
    concurrencyPolicy: string(),
    suspend: boolean(),
    jobTemplate: required(object({ metadata: objectMetaShape, spec: required(jobSpecShape) })),
    successfulJobsHistoryLimit: int32(),
    failedJobsHistoryLimit: int32(),
  }),
  status: object(
    { active: array(anyObject()), lastScheduleTime: string(), lastSuccessfulTime: string() },
    { loose: true },
  ),
});

export function validateCronJob(
  errs: FieldErrors,
  cronJob: { metadata?: ObjectMeta; spec?: Partial<CronJobSpec> },
): void {
  validateObjectMeta(errs, cronJob.metadata, { name: nameIsDNSSubdomain });
  const name = cronJob.metadata?.name;
  if (name && name.length > MAX_CRONJOB_NAME_LENGTH)
    errs.invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`);
  const spec = cronJob.spec ?? {};
  if (spec.schedule === undefined || spec.schedule === '') errs.required('spec.schedule');
  else
    try {
      parseCronSchedule(spec.schedule);
    } catch (e) {
      if (!(e instanceof CronScheduleError)) throw e;
      errs.invalid('spec.schedule', spec.schedule, e.message);
    }
  if (spec.timeZone !== undefined)
    try {
      checkTimeZone(spec.timeZone);
    } catch (e) {
      if (!(e instanceof CronScheduleError)) throw e;
      errs.invalid('spec.timeZone', spec.timeZone, e.message);
    }
  oneOf(errs, 'spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']);
  nonNegative(errs, 'spec.startingDeadlineSeconds', spec.startingDeadlineSeconds);
  nonNegative(errs, 'spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit);
  nonNegative(errs, 'spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit);
  const template = spec.jobTemplate;
  if (!template) {
    errs.required('spec.jobTemplate');
    return;
  }
  validateTemplateMeta(errs, 'spec.jobTemplate.metadata', template.metadata);
  validateJobSpec(errs, 'spec.jobTemplate.spec', template.spec ?? {});
}
