import { expect } from 'chai';
import { seededRandom } from '../support/index.js';
import { selectTargets } from './target-selector.js';

const workers = ['worker-3', 'worker-1', 'worker-5', 'worker-2', 'worker-4'];

describe('selectTargets', () => {
  it('picks the same targets for the same seed, whatever order the candidates come in', () => {
    for (const expr of ['random', 'minority', 'majority']) {
      const a = selectTargets(expr, workers, seededRandom(42), 'workers');
      const b = selectTargets(expr, [...workers].reverse(), seededRandom(42), 'workers');
      expect(a, expr).to.deep.equal(b);
    }
    const picks = new Set(
      Array.from({ length: 20 }, (_, s) => selectTargets('random', workers, seededRandom(s), 'workers')[0]),
    );
    expect(picks.size, 'different seeds pick different workers').to.be.greaterThan(1);
  });

  it('takes one, a minority, a majority or all', () => {
    const r = seededRandom(1);
    expect(selectTargets('one', workers, r, 'workers')).to.have.length(1);
    expect(selectTargets('minority', workers, r, 'workers')).to.have.length(2);
    expect(selectTargets('majority', workers, r, 'workers')).to.have.length(3);
    expect(selectTargets('majority', ['etcd-0', 'etcd-1', 'etcd-2'], r, 'etcd members')).to.have.length(2);
    expect(selectTargets('minority', ['etcd-0'], r, 'etcd members')).to.deep.equal(['etcd-0']);
    expect(selectTargets('all', workers, r, 'workers')).to.deep.equal([...workers].sort());
  });

  it('takes names as given and names the candidates when one is unknown', () => {
    expect(selectTargets('worker-2,worker-4', workers, seededRandom(1), 'workers')).to.deep.equal([
      'worker-2',
      'worker-4',
    ]);
    expect(() => selectTargets('worker-9', workers, seededRandom(1), 'workers')).to.throw(
      'target "worker-9" is not one of the workers: worker-1, worker-2, worker-3, worker-4, worker-5',
    );
  });
});
