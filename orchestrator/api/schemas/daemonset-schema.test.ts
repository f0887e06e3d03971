import { expect } from 'chai';
import { defaultObject } from './default-object.js';
import { expectCause, expectValid } from './support.test.js';

const ds = (spec: object = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: { containers: [{ name: 'c', image: 'crucible/sleeper' }] },
    },
    ...spec,
  },
});

describe('DaemonSet schema', () => {
  it('admits a DaemonSet and defaults RollingUpdate with maxUnavailable 1, maxSurge 0', () => {
    const stored = defaultObject(expectValid(ds(), 'DaemonSet')) as { spec: Record<string, unknown> };
    expect(stored.spec.updateStrategy).to.deep.equal({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    expect(stored.spec.revisionHistoryLimit).to.equal(10);
  });

  it('checks the strategy by name, and refuses maxSurge rather than ignoring it', () => {
    expectCause(
      ds({ updateStrategy: { type: 'Recreate' } }),
      'DaemonSet',
      'spec.updateStrategy.type',
      'Unsupported value',
    );
    expectCause(
      ds({ updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }),
      'DaemonSet',
      'spec.updateStrategy.rollingUpdate.maxUnavailable',
      'cannot be 0 when maxSurge is 0',
    );
    expectCause(
      ds({ updateStrategy: { rollingUpdate: { maxUnavailable: 'half' } } }),
      'DaemonSet',
      'spec.updateStrategy.rollingUpdate.maxUnavailable',
      'a valid percent string',
    );
    expectCause(
      ds({ updateStrategy: { rollingUpdate: { maxSurge: '10%' } } }),
      'DaemonSet',
      'spec.updateStrategy.rollingUpdate.maxSurge',
      'maxSurge is not supported',
    );
  });

  it('requires the selector to match the template and restartPolicy Always', () => {
    expectCause(
      ds({ selector: { matchLabels: { app: 'x' } } }),
      'DaemonSet',
      'spec.template.metadata.labels',
      '`selector` does not match template `labels`',
    );
  });
});
