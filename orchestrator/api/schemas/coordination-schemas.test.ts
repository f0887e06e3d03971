import { expectCause, expectValid } from './support.test.js';

const lease = (spec: object) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'node-1', namespace: 'kube-node-lease' },
  spec,
});

describe('Lease schema', () => {
  it('admits a lease as a leader elector writes it', () => {
    expectValid(
      lease({
        holderIdentity: 'controller-manager-1_7f3c',
        leaseDurationSeconds: 15,
        acquireTime: '2024-01-01T00:00:00.000000Z',
        renewTime: '2024-01-01T00:00:10.000000Z',
        leaseTransitions: 2,
      }),
      'Lease',
    );
  });

  it('leaseDurationSeconds must be positive', () => {
    expectCause(
      lease({ leaseDurationSeconds: 0 }),
      'Lease',
      'spec.leaseDurationSeconds',
      'Invalid value: 0: must be greater than 0',
    );
  });

  it('leaseTransitions must not be negative', () => {
    expectCause(
      lease({ leaseTransitions: -1 }),
      'Lease',
      'spec.leaseTransitions',
      'must be greater than or equal to 0',
    );
  });

  it('times are strings', () => {
    expectCause(lease({ renewTime: 1700000000 }), 'Lease', 'spec.renewTime', 'must be of type string');
  });
});
