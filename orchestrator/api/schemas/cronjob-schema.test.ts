import { expect } from 'chai';
import { defaultObject } from './default-object.js';
import { expectCause, expectValid } from './support.test.js';

const cronJob = (spec: object = {}, podSpec: object = { restartPolicy: 'OnFailure' }, name = 'nightly') => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name, namespace: 'default' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'crucible/crasher' }], ...podSpec } } },
    },
    ...spec,
  },
});

describe('CronJob schema', () => {
  it('admits a CronJob and defaults Allow, not suspended, three successful and one failed Job kept', () => {
    const stored = defaultObject(expectValid(cronJob(), 'CronJob')) as { spec: Record<string, unknown> };
    expect(stored.spec).to.include({
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
    expectValid(cronJob({ schedule: '@daily', timeZone: 'Europe/Berlin' }), 'CronJob');
  });

  it('refuses a schedule cron cannot read, a TZ prefix and an unknown time zone, naming the field', () => {
    expectCause(
      cronJob({ schedule: '61 * * * *' }),
      'CronJob',
      'spec.schedule',
      'Invalid value: "61 * * * *": minute: 61 out of range [0, 59]',
    );
    expectCause(
      cronJob({ schedule: 'TZ=UTC 0 * * * *' }),
      'CronJob',
      'spec.schedule',
      'set spec.timeZone instead',
    );
    expectCause(cronJob({ schedule: undefined }), 'CronJob', 'spec.schedule', 'Required value');
    expectCause(
      cronJob({ timeZone: 'Mars/Base' }),
      'CronJob',
      'spec.timeZone',
      'unknown time zone "Mars/Base"',
    );
  });

  it('refuses a bad policy, negative limits, a long name, and a job template a Job would refuse', () => {
    expectCause(
      cronJob({ concurrencyPolicy: 'Sometimes' }),
      'CronJob',
      'spec.concurrencyPolicy',
      'Unsupported value',
    );
    expectCause(
      cronJob({ successfulJobsHistoryLimit: -1 }),
      'CronJob',
      'spec.successfulJobsHistoryLimit',
      'must be greater than or equal to 0',
    );
    expectCause(
      cronJob({}, {}, 'n'.repeat(53)),
      'CronJob',
      'metadata.name',
      'must be no more than 52 characters',
    );
    expectCause(
      cronJob({}, { restartPolicy: 'Always' }),
      'CronJob',
      'spec.jobTemplate.spec.template.spec.restartPolicy',
      'Unsupported value',
    );
  });
});
