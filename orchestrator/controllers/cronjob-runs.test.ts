import { expect } from 'chai';
import type { CronJob, CronJobSpec, Job } from '../api/types.js';
import { decideCronJobRun, jobNameFor, jobsBeyondHistory } from './cronjob-runs.js';

const at = (iso: string) => Date.parse(iso);

function cronJob(spec: Partial<CronJobSpec>, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'ns', creationTimestamp: '2026-03-04T10:00:30Z' },
    spec: {
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      jobTemplate: { spec: { template: { spec: { containers: [] } } } },
      ...spec,
    },
    status,
  };
}

describe('a CronJob run decision', () => {
  it('waits until the schedule comes round, counting from creation, and says when to look again', () => {
    expect(decideCronJobRun(cronJob({}), 0, at('2026-03-04T10:03:00Z'))).to.deep.equal({
      action: 'wait',
      nextAt: at('2026-03-04T10:05:00Z'),
    });
  });

  it('starts the latest run due since the last one, not every one missed', () => {
    const cj = cronJob({}, { lastScheduleTime: '2026-03-04T10:05:00Z' });
    expect(decideCronJobRun(cj, 0, at('2026-03-04T10:21:10Z'))).to.deep.equal({
      action: 'start',
      scheduledAt: at('2026-03-04T10:20:00Z'),
      missed: 3,
      nextAt: at('2026-03-04T10:25:00Z'),
    });
    // Already run for 10:20: nothing more until 10:25.
    const ran = cronJob({}, { lastScheduleTime: '2026-03-04T10:20:00Z' });
    expect(decideCronJobRun(ran, 1, at('2026-03-04T10:21:10Z')).action).to.equal('wait');
  });

  it('counts many missed runs without walking them all', () => {
    const cj = cronJob({ schedule: '* * * * *' }, { lastScheduleTime: '2020-01-01T00:00:00Z' });
    const run = decideCronJobRun(cj, 0, at('2026-03-04T10:21:10Z'));
    expect(run).to.include({ action: 'start', scheduledAt: at('2026-03-04T10:21:00Z') });
    expect(run.action === 'start' && run.missed).to.be.greaterThan(100);
  });

  it('misses a run past its starting deadline', () => {
    const cj = cronJob({ startingDeadlineSeconds: 30 }, { lastScheduleTime: '2026-03-04T10:05:00Z' });
    expect(decideCronJobRun(cj, 0, at('2026-03-04T10:10:20Z'))).to.include({
      action: 'start',
      scheduledAt: at('2026-03-04T10:10:00Z'),
    });
    // 40 s late with 30 s allowed: 10:10 is missed, and 10:15 is next.
    expect(decideCronJobRun(cj, 0, at('2026-03-04T10:10:40Z'))).to.deep.equal({
      action: 'wait',
      nextAt: at('2026-03-04T10:15:00Z'),
    });
    const generous = cronJob({ startingDeadlineSeconds: 300 }, { lastScheduleTime: '2026-03-04T10:05:00Z' });
    expect(decideCronJobRun(generous, 0, at('2026-03-04T10:14:00Z'))).to.include({
      action: 'start',
      scheduledAt: at('2026-03-04T10:10:00Z'),
    });
  });

  it('forbids an overlapping run only under Forbid', () => {
    const due = { lastScheduleTime: '2026-03-04T10:05:00Z' };
    const now = at('2026-03-04T10:10:01Z');
    expect(decideCronJobRun(cronJob({ concurrencyPolicy: 'Forbid' }, due), 1, now)).to.include({
      action: 'forbidden',
    });
    expect(decideCronJobRun(cronJob({ concurrencyPolicy: 'Forbid' }, due), 0, now)).to.include({
      action: 'start',
    });
    expect(decideCronJobRun(cronJob({ concurrencyPolicy: 'Allow' }, due), 1, now)).to.include({
      action: 'start',
    });
    expect(decideCronJobRun(cronJob({ concurrencyPolicy: 'Replace' }, due), 1, now)).to.include({
      action: 'start',
    });
  });

  it('starts nothing while suspended', () => {
    const cj = cronJob({ suspend: true }, { lastScheduleTime: '2026-03-04T10:05:00Z' });
    expect(decideCronJobRun(cj, 0, at('2026-03-04T10:21:10Z')).action).to.equal('wait');
  });

  it('follows the time zone it names', () => {
    const cj = cronJob(
      { schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' },
      { lastScheduleTime: '2026-03-03T00:00:00Z' },
    );
    // 09:00 in Tokyo is 00:00 UTC.
    expect(decideCronJobRun(cj, 0, at('2026-03-04T00:00:30Z'))).to.include({
      action: 'start',
      scheduledAt: at('2026-03-04T00:00:00Z'),
    });
  });

  it('names a run after its scheduled minute', () => {
    expect(jobNameFor(cronJob({}), at('2026-03-04T10:20:00Z'))).to.equal(
      `nightly-${at('2026-03-04T10:20:00Z') / 60_000}`,
    );
  });
});

describe('a CronJob history', () => {
  const job = (name: string, startTime: string, finished?: 'Complete' | 'Failed'): Job => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { template: { spec: { containers: [] } } },
    status: {
      startTime,
      ...(finished
        ? { conditions: [{ type: finished, status: 'True', lastTransitionTime: startTime }] }
        : {}),
    },
  });

  it('keeps the newest finished Jobs within each limit, and every running one', () => {
    const jobs = [
      job('ok-3', '2026-03-04T10:03:00Z', 'Complete'),
      job('ok-1', '2026-03-04T10:01:00Z', 'Complete'),
      job('ok-2', '2026-03-04T10:02:00Z', 'Complete'),
      job('bad-1', '2026-03-04T10:01:30Z', 'Failed'),
      job('bad-2', '2026-03-04T10:02:30Z', 'Failed'),
      job('running', '2026-03-04T09:00:00Z'),
    ];
    const names = (spec: Partial<CronJobSpec>) =>
      jobsBeyondHistory(cronJob(spec), jobs).map((j) => j.metadata.name);
    expect(names({ successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 })).to.deep.equal([
      'ok-1',
      'bad-1',
    ]);
    expect(names({ successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 })).to.deep.equal([
      'ok-1',
      'ok-2',
      'ok-3',
      'bad-1',
      'bad-2',
    ]);
    expect(names({})).to.deep.equal([]);
  });
});
