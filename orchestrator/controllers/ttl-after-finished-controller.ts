import { type Informer, type ReconcileLoop, objectKey } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { jobFinishedAt } from '../api/job-conditions.js';
import { findResource } from '../api/resources.js';
import type { Job } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';

const JOBS = findResource('batch', 'v1', 'jobs')!;

/**
 * Kubernetes' TTL-after-finished controller: a Job with `ttlSecondsAfterFinished` is deleted that
 * many seconds after it finished (Complete or Failed), its pods with it (Foreground, as upstream).
 * The Job is read again before the delete, and the delete carries its uid, so a Job whose TTL was
 * raised in the meantime, or one of the same name made since, is left alone.
 */
export class TtlAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';
  private readonly loop: ReconcileLoop;
  private readonly jobs: Informer<Job>;

  constructor(private readonly ctx: ControllerContext) {
    this.jobs = ctx.informers.informer<Job>(JOBS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    const enqueue = (job: Job) => {
      if (job.spec.ttlSecondsAfterFinished !== undefined && jobFinishedAt(job) !== undefined)
        this.loop.enqueue(objectKey(job));
    };
    this.jobs.addHandlers({ add: enqueue, update: (_, job) => enqueue(job) });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private async reconcile(key: string): Promise<void> {
    const cached = this.jobs.get(key);
    if (!cached || !this.dueOrLater(cached, key)) return;
    const [namespace, name] = [cached.metadata.namespace ?? '', cached.metadata.name!];
    let fresh: Job;
    try {
      fresh = await this.ctx.client.get<Job>(JOBS, namespace, name);
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      throw e;
    }
    if (fresh.metadata.uid !== cached.metadata.uid || !this.dueOrLater(fresh, key)) return;
    try {
      await this.ctx.client.delete(JOBS, namespace, name, {
        propagationPolicy: 'Foreground',
        preconditions: { uid: fresh.metadata.uid },
      });
    } catch (e) {
      if (!isApiError(e, 'NotFound') && !isApiError(e, 'Conflict')) throw e;
    }
  }

  /** Whether the Job's time is up; if not yet, false, and the Job is looked at again when it will be. */
  private dueOrLater(job: Job, key: string): boolean {
    const ttl = job.spec.ttlSecondsAfterFinished;
    const finishedAt = jobFinishedAt(job);
    if (ttl === undefined || finishedAt === undefined || job.metadata.deletionTimestamp) return false;
    const left = finishedAt + ttl * 1000 - this.ctx.clock.now().getTime();
    if (left <= 0) return true;
    this.loop.queue.addAfter(key, left);
    return false;
  }
}
