import type { Job } from './types.js';

const holds = (job: Pick<Job, 'status'>, type: string) =>
  job.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;

/** How a Job finished (its Complete or Failed condition holds), or undefined while it has not. */
export function jobFinished(job: Pick<Job, 'status'>): 'Complete' | 'Failed' | undefined {
  return holds(job, 'Complete') ? 'Complete' : holds(job, 'Failed') ? 'Failed' : undefined;
}

/** When a finished Job finished (its Complete or Failed condition's transition), in ms; undefined while running. */
export function jobFinishedAt(job: Pick<Job, 'status'>): number | undefined {
  const how = jobFinished(job);
  const at = job.status?.conditions?.find((c) => c.type === how && c.status === 'True')?.lastTransitionTime;
  const ms = at === undefined ? NaN : Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}
