import { expect } from 'chai';
import { defaultObject } from './default-object.js';
import { expectCause, expectValid } from './support.test.js';

const job = (spec: object = {}, podSpec: object = { restartPolicy: 'Never' }) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate', namespace: 'default' },
  spec: {
    template: { spec: { containers: [{ name: 'c', image: 'crucible/crasher' }], ...podSpec } },
    ...spec,
  },
});

describe('Job schema', () => {
  it('admits a Job without a selector and defaults one completion, parallelism 1, six retries', () => {
    const stored = defaultObject(expectValid(job(), 'Job')) as { spec: Record<string, unknown> };
    expect(stored.spec).to.include({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
    });
    const queue = defaultObject(expectValid(job({ parallelism: 3 }), 'Job')) as {
      spec: Record<string, unknown>;
    };
    expect(queue.spec.completions, 'a work queue: no completions').to.equal(undefined);
  });

  it('refuses restartPolicy Always, negative counts, and a manual selector that is missing or does not match', () => {
    expectCause(
      job({}, { restartPolicy: 'Always' }),
      'Job',
      'spec.template.spec.restartPolicy',
      'Unsupported value',
    );
    expectCause(job({ backoffLimit: -1 }), 'Job', 'spec.backoffLimit', 'must be greater than or equal to 0');
    expectCause(job({ manualSelector: true }), 'Job', 'spec.selector', 'Required value');
    expectCause(
      job({ manualSelector: true, selector: { matchLabels: { app: 'x' } } }),
      'Job',
      'spec.template.metadata.labels',
      '`selector` does not match template `labels`',
    );
  });
});
