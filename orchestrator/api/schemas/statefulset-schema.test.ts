import { expect } from 'chai';
import { defaultObject } from './default-object.js';
import { expectCause, expectValid } from './support.test.js';

const sts = (spec: object = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'crucible/sleeper' }] },
    },
    ...spec,
  },
});

describe('StatefulSet schema', () => {
  it('admits a StatefulSet and defaults it as apps/v1 does', () => {
    const stored = defaultObject(expectValid(sts({ serviceName: 'web' }), 'StatefulSet')) as {
      spec: Record<string, unknown>;
    };
    expect(stored.spec).to.include({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      revisionHistoryLimit: 10,
    });
    expect(stored.spec.updateStrategy).to.deep.equal({
      type: 'RollingUpdate',
      rollingUpdate: { partition: 0 },
    });
    expect(stored.spec.persistentVolumeClaimRetentionPolicy).to.deep.equal({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
  });

  it('checks the policy, the strategy and the partition by name', () => {
    expectCause(
      sts({ podManagementPolicy: 'Random' }),
      'StatefulSet',
      'spec.podManagementPolicy',
      'Unsupported value',
    );
    expectCause(
      sts({ updateStrategy: { type: 'Recreate' } }),
      'StatefulSet',
      'spec.updateStrategy.type',
      'Unsupported value',
    );
    expectCause(
      sts({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }),
      'StatefulSet',
      'spec.updateStrategy.rollingUpdate',
      "only allowed for updateStrategy 'RollingUpdate'",
    );
    expectCause(
      sts({ updateStrategy: { rollingUpdate: { partition: -1 } } }),
      'StatefulSet',
      'spec.updateStrategy.rollingUpdate.partition',
      'must be greater than or equal to 0',
    );
  });

  it('refuses what the process runtime cannot provide rather than ignoring it', () => {
    expectCause(
      sts({ volumeClaimTemplates: [{ metadata: { name: 'data' } }] }),
      'StatefulSet',
      'spec.volumeClaimTemplates',
      'crucible has no PersistentVolumes',
    );
    expectCause(
      sts({ updateStrategy: { rollingUpdate: { maxUnavailable: 2 } } }),
      'StatefulSet',
      'spec.updateStrategy.rollingUpdate.maxUnavailable',
      'MaxUnavailableStatefulSet feature gate',
    );
  });

  it('requires a selector that matches the template, and restartPolicy Always', () => {
    expectCause(
      sts({ selector: { matchLabels: { app: 'other' } } }),
      'StatefulSet',
      'spec.template.metadata.labels',
      '`selector` does not match template `labels`',
    );
    const never = sts();
    (never.spec.template.spec as Record<string, unknown>).restartPolicy = 'Never';
    expectCause(never, 'StatefulSet', 'spec.template.spec.restartPolicy', 'Unsupported value');
  });
});
