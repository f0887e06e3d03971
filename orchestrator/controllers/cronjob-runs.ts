import { missedScheduleTimes, nextScheduleTime, parseCronSchedule } from '../api/cron-schedule.js';
import { jobFinished } from '../api/job-conditions.js';
import type { CronJob, Job } from '../api/types.js';

/** More missed times than this since the last run, and the CronJob warns (TooManyMissedTimes), as upstream. */
export const TOO_MANY_MISSED = 100;

/** What a CronJob is to do now, and when to look again. */
export type CronJobRun =
  /** Nothing is due. */
  | { action: 'wait'; nextAt?: number }
  /** Start the run scheduled at `scheduledAt` (the latest one due; earlier missed ones are not run). */
  | { action: 'start'; scheduledAt: number; missed: number; nextAt?: number }
  /** concurrencyPolicy Forbid and a run is active: the run at `scheduledAt` waits for it. */
  | { action: 'forbidden'; scheduledAt: number; nextAt?: number };

/**
 * Upstream's CronJob scheduling (cronjob_controllerv2 syncCronJob): the latest scheduled time
 * since the last run (or the CronJob's creation, or `now - startingDeadlineSeconds` if later: an
 * older run is past its starting deadline, and missed) is due; it starts unless runs may not
 * overlap and one is active. A suspended CronJob starts nothing.
 */
export function decideCronJobRun(cronJob: CronJob, activeJobs: number, nowMs: number): CronJobRun {
  const schedule = parseCronSchedule(cronJob.spec.schedule);
  const zone = cronJob.spec.timeZone ?? 'UTC';
  const nextAt = nextScheduleTime(schedule, nowMs, zone);
  const waitFor = nextAt === undefined ? {} : { nextAt };
  if (cronJob.spec.suspend) return { action: 'wait', ...waitFor };
  const deadlineMs =
    cronJob.spec.startingDeadlineSeconds === undefined
      ? undefined
      : cronJob.spec.startingDeadlineSeconds * 1000;
  let earliest = Date.parse(cronJob.status?.lastScheduleTime ?? cronJob.metadata.creationTimestamp ?? '');
  if (Number.isNaN(earliest)) earliest = nowMs;
  if (deadlineMs !== undefined) earliest = Math.max(earliest, nowMs - deadlineMs);
  const { latest, count } = missedScheduleTimes(schedule, earliest, nowMs, zone, TOO_MANY_MISSED + 1);
  if (latest === undefined) return { action: 'wait', ...waitFor };
  if (cronJob.spec.concurrencyPolicy === 'Forbid' && activeJobs > 0)
    return { action: 'forbidden', scheduledAt: latest, ...waitFor };
  return { action: 'start', scheduledAt: latest, missed: count, ...waitFor };
}

/** A CronJob's Job for the run scheduled at `scheduledAt`: `<name>-<minutes since the epoch>`, as upstream names it. */
export function jobNameFor(cronJob: CronJob, scheduledAt: number): string {
  return `${cronJob.metadata.name}-${Math.floor(scheduledAt / 60_000)}`;
}

/**
 * The finished Jobs beyond the CronJob's history limits (successfulJobsHistoryLimit and
 * failedJobsHistoryLimit), oldest first: those to delete.
 */
export function jobsBeyondHistory(cronJob: CronJob, jobs: readonly Job[]): Job[] {
  const started = (j: Job) => Date.parse(j.status?.startTime ?? j.metadata.creationTimestamp ?? '') || 0;
  const beyond = (how: 'Complete' | 'Failed', limit: number | undefined) => {
    if (limit === undefined) return [];
    const finished = jobs.filter((j) => jobFinished(j) === how).sort((a, b) => started(a) - started(b));
    return finished.slice(0, Math.max(0, finished.length - limit));
  };
  return [
    ...beyond('Complete', cronJob.spec.successfulJobsHistoryLimit),
    ...beyond('Failed', cronJob.spec.failedJobsHistoryLimit),
  ];
}
