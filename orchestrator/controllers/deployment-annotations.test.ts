import { expect } from 'chai';
import type { Deployment, ReplicaSet } from '../api/types.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  maxRevision,
  newReplicaSetAnnotations,
  revisionOf,
  withReplicasAnnotations,
} from './deployment-annotations.js';

const deployment = (annotations: Record<string, string> = {}): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', annotations },
  spec: { selector: {}, template: { spec: { containers: [] } } },
});
const rs = (revision?: string): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: `rs-${revision}`,
    annotations: revision === undefined ? {} : { [REVISION_ANNOTATION]: revision },
  },
  spec: { selector: {} },
});

describe('deployment annotations', () => {
  it('reads revisions: 0 when absent, NaN when not a number, and the highest of several', () => {
    expect(revisionOf(rs())).to.equal(0);
    expect(revisionOf(rs('7'))).to.equal(7);
    expect(revisionOf(rs('x'))).to.be.NaN;
    expect(maxRevision([rs('2'), rs('x'), rs('10'), rs()])).to.equal(10);
    expect(maxRevision([])).to.equal(0);
  });

  it('copies the Deployment annotations to a new ReplicaSet except the controller bookkeeping', () => {
    const d = deployment({
      team: 'a',
      [REVISION_ANNOTATION]: '9',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    });
    const next = newReplicaSetAnnotations(d, undefined, 3, { desired: 4, max: 5 });
    expect(next).to.deep.equal({
      team: 'a',
      [REVISION_ANNOTATION]: '3',
      [DESIRED_REPLICAS_ANNOTATION]: '4',
      [MAX_REPLICAS_ANNOTATION]: '5',
    });
  });

  it('raises a reused ReplicaSet to the new revision and keeps the one it had in the history', () => {
    const next = newReplicaSetAnnotations(deployment(), { [REVISION_ANNOTATION]: '1' }, 3);
    expect(next).to.deep.equal({ [REVISION_ANNOTATION]: '3', [REVISION_HISTORY_ANNOTATION]: '1' });
    const again = newReplicaSetAnnotations(deployment(), { ...next, [REVISION_ANNOTATION]: '3' }, 5);
    expect(again?.[REVISION_HISTORY_ANNOTATION]).to.equal('1,3');
  });

  it('changes nothing when the ReplicaSet already carries what it should', () => {
    expect(
      newReplicaSetAnnotations(deployment({ team: 'a' }), { team: 'a', [REVISION_ANNOTATION]: '4' }, 4),
    ).to.equal(undefined);
    expect(newReplicaSetAnnotations(deployment(), { [REVISION_ANNOTATION]: '5' }, 4)).to.equal(undefined);
    expect(newReplicaSetAnnotations(deployment({ team: 'a' }), { [REVISION_ANNOTATION]: 'bad' }, 4)).to.equal(
      undefined,
    );
  });

  it('sets the sizing annotations only when they differ', () => {
    const sized = { [DESIRED_REPLICAS_ANNOTATION]: '3', [MAX_REPLICAS_ANNOTATION]: '4' };
    expect(withReplicasAnnotations(sized, 3, 4)).to.equal(undefined);
    expect(withReplicasAnnotations({ x: 'y', ...sized }, 5, 7)).to.deep.equal({
      x: 'y',
      [DESIRED_REPLICAS_ANNOTATION]: '5',
      [MAX_REPLICAS_ANNOTATION]: '7',
    });
  });
});
