import { isDeepStrictEqual } from 'node:util';
import { type Informer, type ReconcileLoop, objectKey } from '../api/client/index.js';
import { formatTime } from '../api/clock.js';
import { isApiError } from '../api/errors.js';
import { jobFinished, jobFinishedAt } from '../api/job-conditions.js';
import { controllerOf, controllerOwnerReference, objectReference } from '../api/pod-helpers.js';
import { apiVersionOf, findResource } from '../api/resources.js';
import type { CronJob, CronJobStatus, Job } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';
import { TOO_MANY_MISSED, decideCronJobRun, jobNameFor, jobsBeyondHistory } from './cronjob-runs.js';

const CRONJOBS = findResource('batch', 'v1', 'cronjobs')!;
const JOBS = findResource('batch', 'v1', 'jobs')!;
/** The annotation upstream puts on a CronJob's Job: the time it was scheduled for. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** A look again a little after the next scheduled time, so that it is surely due. */
const AFTER_SCHEDULE_MS = 100;

/**
 * Kubernetes' CronJob controller (cronjob_controllerv2): each time the schedule comes round it
 * makes a Job from `jobTemplate`, named after the scheduled minute so that a repeated attempt
 * finds the one it made. Keeps `status.active` to the Jobs still running, `lastScheduleTime` and
 * `lastSuccessfulTime`, deletes finished Jobs beyond the history limits, and honours
 * concurrencyPolicy (Forbid skips a run while one is active; Replace deletes the active ones),
 * startingDeadlineSeconds and suspend. Runs missed while the controller was away are not made
 * up: only the latest is started, as upstream does.
 */
export class CronJobController implements Controller {
  readonly name = 'cronjob';
  private readonly loop: ReconcileLoop;
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;

  constructor(private readonly ctx: ControllerContext) {
    this.cronJobs = ctx.informers.informer<CronJob>(CRONJOBS);
    this.jobs = ctx.informers.informer<Job>(JOBS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    const enqueue = (cj: CronJob) => this.loop.enqueue(objectKey(cj));
    this.cronJobs.addHandlers({ add: enqueue, update: (_, cj) => enqueue(cj) });
    const enqueueOwner = (job: Job) => {
      const ref = controllerOf(job);
      if (ref?.kind === 'CronJob') this.loop.enqueue(`${job.metadata.namespace}/${ref.name}`);
    };
    this.jobs.addHandlers({ add: enqueueOwner, update: (_, job) => enqueueOwner(job), delete: enqueueOwner });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private async reconcile(key: string): Promise<void> {
    const cronJob = this.cronJobs.get(key);
    if (!cronJob || cronJob.metadata.deletionTimestamp) return;
    const children = this.jobs
      .byIndex('namespace', cronJob.metadata.namespace ?? '')
      .filter((j) => controllerOf(j)?.uid === cronJob.metadata.uid && !j.metadata.deletionTimestamp);
    let active = children.filter((j) => jobFinished(j) === undefined);
    const status: CronJobStatus = { ...cronJob.status };
    const lastSuccess = Math.max(
      Date.parse(status.lastSuccessfulTime ?? '') || 0,
      ...children.filter((j) => jobFinished(j) === 'Complete').map((j) => jobFinishedAt(j) ?? 0),
    );
    if (lastSuccess > 0) status.lastSuccessfulTime = formatTime(new Date(lastSuccess));

    for (const old of jobsBeyondHistory(cronJob, children)) await this.deleteJob(cronJob, old);

    const now = this.ctx.clock.now().getTime();
    const run = decideCronJobRun(cronJob, active.length, now);
    if (run.action === 'forbidden')
      this.ctx.recorder.event(
        cronJob,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
    if (run.action === 'start') {
      if (run.missed > TOO_MANY_MISSED)
        this.ctx.recorder.event(
          cronJob,
          'Warning',
          'TooManyMissedTimes',
          `too many missed start times: ${run.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
        );
      if (cronJob.spec.concurrencyPolicy === 'Replace') {
        for (const running of active) await this.deleteJob(cronJob, running);
        active = [];
      }
      const job = await this.createJob(cronJob, run.scheduledAt);
      if (job && !active.some((j) => j.metadata.uid === job.metadata.uid)) active = [...active, job];
      status.lastScheduleTime = formatTime(new Date(run.scheduledAt));
    }
    // A Job's reference is kept as first written (upstream's getRef at creation), so a running
    // Job's own updates do not rewrite the CronJob's status.
    const known = new Map((cronJob.status?.active ?? []).map((ref) => [ref.uid, ref]));
    status.active = active.map((j) => known.get(j.metadata.uid) ?? objectReference(j, JOBS));
    if (status.active.length === 0) delete status.active;
    if (!isDeepStrictEqual(status, cronJob.status ?? {})) {
      try {
        await this.ctx.client.updateStatus(CRONJOBS, { ...cronJob, status });
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
    }
    if (run.nextAt !== undefined) this.loop.queue.addAfter(key, run.nextAt - now + AFTER_SCHEDULE_MS);
  }

  /** The run's Job, made now or found made by an earlier attempt; undefined when it cannot be made. */
  private async createJob(cronJob: CronJob, scheduledAt: number): Promise<Job | undefined> {
    const template = cronJob.spec.jobTemplate;
    const job: Job = {
      apiVersion: apiVersionOf(JOBS),
      kind: 'Job',
      metadata: {
        name: jobNameFor(cronJob, scheduledAt),
        namespace: cronJob.metadata.namespace,
        labels: { ...template.metadata?.labels },
        annotations: {
          ...template.metadata?.annotations,
          [SCHEDULED_TIMESTAMP_ANNOTATION]: formatTime(new Date(scheduledAt)),
        },
        ownerReferences: [controllerOwnerReference(cronJob, CRONJOBS)],
      },
      spec: structuredClone(template.spec),
    };
    try {
      const made = await this.ctx.client.create(JOBS, job);
      this.ctx.recorder.event(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`);
      return made;
    } catch (e) {
      if (isApiError(e, 'AlreadyExists'))
        return this.jobs.get(`${job.metadata.namespace}/${job.metadata.name}`);
      this.ctx.recorder.event(
        cronJob,
        'Warning',
        'FailedCreate',
        `Error creating job: ${(e as Error).message}`,
      );
      throw e;
    }
  }

  private async deleteJob(cronJob: CronJob, job: Job): Promise<void> {
    try {
      // Background: the Job goes now and the garbage collector takes its pods.
      await this.ctx.client.delete(JOBS, job.metadata.namespace ?? '', job.metadata.name!, {
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata.uid },
      });
      this.ctx.recorder.event(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    } catch (e) {
      if (!isApiError(e, 'NotFound') && !isApiError(e, 'Conflict')) throw e;
    }
  }
}
