import { isDeepStrictEqual } from 'node:util';
import { type Informer, type ReconcileLoop, objectKey } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { jobFinished } from '../api/job-conditions.js';
import { controllerOf, isPodReady } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import type { Condition, Job, JobStatus, Pod } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';
import { Expectations } from './expectations.js';
import { handleOwnersAndPods } from './owned-pod-handlers.js';
import { deleteActivePods } from './pod-deletions.js';
import { podFromTemplate } from './pod-from-template.js';

const PODS = findResource('', 'v1', 'pods')!;
const JOBS = findResource('batch', 'v1', 'jobs')!;

const finished = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * Kubernetes' Job controller, NonIndexed completion: runs up to `parallelism` pods at once until
 * `completions` of them have succeeded (Complete). A pod that fails counts against `backoffLimit`:
 * one failure more than it allows fails the Job (BackoffLimitExceeded), as does running past
 * `activeDeadlineSeconds` (DeadlineExceeded); a failed Job's running pods are deleted. Finished
 * pods are kept, as upstream keeps them, for their logs. A suspended Job runs no pod.
 * Expectations keep a lagging cache from creating twice. The succeeded and failed counts never go
 * down: each finished pod counts once, when first seen finished (see `tally`), and a finished
 * Job's counts are left as they were, so deleting a finished pod takes no completion back. Not
 * done: Indexed completion, pod failure policies, backoff delays between retries, upstream's
 * job-tracking finalizers (a pod deleted before it was seen finished is not counted; a pod
 * deleted while it runs is replaced but not counted as failed) (ttlSecondsAfterFinished is the
 * ttl-after-finished controller's).
 */
export class JobController implements Controller {
  readonly name = 'job';
  private readonly loop: ReconcileLoop;
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly expectations: Expectations;
  /** Per Job (by key): the finished pods already counted, and the counts. */
  private readonly tallies = new Map<string, Tally>();

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new Expectations(ctx.clock);
    this.jobs = ctx.informers.informer<Job>(JOBS);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    handleOwnersAndPods(this.jobs, this.pods, this.loop, this.expectations, {
      ownerKey: (pod) => this.ownerKey(pod),
      enqueueFor: (pod) => {
        const owner = this.ownerKey(pod);
        if (owner) this.loop.enqueue(owner);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private ownerKey(pod: Pod): string | undefined {
    const ref = controllerOf(pod);
    return ref?.kind === 'Job' ? `${pod.metadata.namespace}/${ref.name}` : undefined;
  }

  private async reconcile(key: string): Promise<void> {
    const job = this.jobs.get(key);
    if (!job) {
      this.expectations.forget(key);
      this.tallies.delete(key);
      return;
    }
    if (job.metadata.deletionTimestamp) return;
    const pods = this.pods
      .byIndex('namespace', job.metadata.namespace ?? '')
      .filter((p) => controllerOf(p)?.uid === job.metadata.uid);
    const active = pods.filter((p) => !finished(p) && !p.metadata.deletionTimestamp);
    const now = this.ctx.clock.now();
    const startTime = job.status?.startTime ?? (job.spec.suspend ? undefined : now.toISOString());
    const done = jobFinished(job) !== undefined;
    // A finished Job's counts are final, whatever becomes of its pods.
    if (done) this.tallies.delete(key);
    const { succeeded, failed } = done
      ? { succeeded: job.status?.succeeded ?? 0, failed: job.status?.failed ?? 0 }
      : this.tally(key, job, pods);

    // Without completions (a work queue), one success completes the Job.
    const completions = job.spec.completions ?? 1;
    let ending: Condition | undefined;
    if (!done) {
      const deadline = job.spec.activeDeadlineSeconds;
      if (succeeded >= completions) ending = condition('Complete', now);
      else if (failed > (job.spec.backoffLimit ?? 6))
        ending = condition(
          'Failed',
          now,
          'BackoffLimitExceeded',
          'Job has reached the specified backoff limit',
        );
      else if (
        deadline !== undefined &&
        startTime &&
        now.getTime() - Date.parse(startTime) >= deadline * 1000
      )
        ending = condition(
          'Failed',
          now,
          'DeadlineExceeded',
          'Job was active longer than specified deadline',
        );
      else if (deadline !== undefined && startTime)
        this.loop.queue.addAfter(key, Date.parse(startTime) + deadline * 1000 - now.getTime());
    }

    if (done || ending) {
      // A finished Job runs nothing more: a failed one's running pods go.
      if (active.length > 0 && (ending?.type === 'Failed' || jobFinished(job) === 'Failed'))
        await deleteActivePods(this.ctx, this.expectations, job, active, active.length);
    } else if (this.expectations.satisfied(key)) {
      const wanted = job.spec.suspend
        ? 0
        : Math.max(0, Math.min(job.spec.parallelism ?? 1, completions - succeeded));
      if (active.length < wanted) await this.createPods(job, wanted - active.length);
      else if (active.length > wanted)
        await deleteActivePods(this.ctx, this.expectations, job, active, active.length - wanted);
    }

    const status: JobStatus = {
      ...job.status,
      active: done || ending?.type === 'Failed' ? 0 : active.length,
      succeeded,
      failed,
      ready: active.filter(isPodReady).length,
      ...(startTime ? { startTime } : {}),
      ...(ending?.type === 'Complete' ? { completionTime: now.toISOString() } : {}),
      conditions: ending ? [...(job.status?.conditions ?? []), ending] : job.status?.conditions,
    };
    if (!status.conditions) delete status.conditions;
    if (isDeepStrictEqual(status, job.status)) return;
    try {
      await this.ctx.client.updateStatus(JOBS, { ...job, status });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
    if (ending)
      this.ctx.recorder.event(
        job,
        ending.type === 'Complete' ? 'Normal' : 'Warning',
        ending.reason ?? 'Completed',
        ending.message ?? 'Job completed',
      );
  }

  /**
   * The Job's succeeded and failed counts, which never go down (as upstream's job-tracking
   * finalizers make them): each finished pod counts once, when first seen finished, so a finished
   * pod that is deleted afterwards (killed, cleaned up) stays counted and its completion is not
   * run again. The pods counted are remembered per Job uid; a controller that starts, or takes
   * over as leader, starts from the Job's status (or from the finished pods there are, when they
   * are more) with those pods counted.
   */
  private tally(key: string, job: Job, pods: Pod[]): { succeeded: number; failed: number } {
    const done = pods.filter(finished);
    const count = (list: Pod[], phase: string) => list.filter((p) => p.status?.phase === phase).length;
    const known = this.tallies.get(key);
    const tally: Tally =
      known && known.uid === job.metadata.uid
        ? known
        : {
            uid: job.metadata.uid!,
            counted: new Set(done.map((p) => p.metadata.uid!)),
            succeeded: Math.max(job.status?.succeeded ?? 0, count(done, 'Succeeded')),
            failed: Math.max(job.status?.failed ?? 0, count(done, 'Failed')),
          };
    this.tallies.set(key, tally);
    const fresh = done.filter((p) => !tally.counted.has(p.metadata.uid!));
    for (const pod of fresh) tally.counted.add(pod.metadata.uid!);
    tally.succeeded += count(fresh, 'Succeeded');
    tally.failed += count(fresh, 'Failed');
    return { succeeded: tally.succeeded, failed: tally.failed };
  }

  private async createPods(job: Job, count: number): Promise<void> {
    const key = objectKey(job);
    this.expectations.expectCreations(key, count);
    const results = await Promise.allSettled(
      Array.from({ length: count }, () =>
        this.ctx.client.create(PODS, podFromTemplate(job, JOBS, job.spec.template)),
      ),
    );
    const failures = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    for (let i = 0; i < failures.length; i++) this.expectations.creationObserved(key);
    if (failures.length > 0) {
      const reason = (failures[0]!.reason as Error).message;
      this.ctx.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${reason}`);
      throw failures[0]!.reason;
    }
    this.ctx.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created ${count} pod(s)`);
  }
}

/** What the controller has counted of one Job. */
interface Tally {
  /** The Job's uid: a Job made again under the same name starts afresh. */
  uid: string;
  /** The uids of the finished pods already counted. */
  counted: Set<string>;
  succeeded: number;
  failed: number;
}

function condition(type: 'Complete' | 'Failed', now: Date, reason?: string, message?: string): Condition {
  const at = now.toISOString();
  return {
    type,
    status: 'True',
    lastProbeTime: at,
    lastTransitionTime: at,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}
