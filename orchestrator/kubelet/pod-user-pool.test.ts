import { expect } from 'chai';
import { PodUserPool } from './pod-user-pool.js';

describe('PodUserPool', () => {
  it('gives each pod an id of its own, the same one again for the same pod, and reuses released ids', () => {
    const pool = new PodUserPool({ first: 1000, last: 1002 });
    expect([pool.allocate('a'), pool.allocate('b'), pool.allocate('a')]).to.deep.equal([1000, 1001, 1000]);
    pool.release('a');
    expect(pool.allocate('c')).to.equal(1000);
  });

  it('refuses a pod once the range is used up', () => {
    const pool = new PodUserPool({ first: 1, last: 1 });
    pool.allocate('a');
    expect(() => pool.allocate('b')).to.throw(/every user id of 1-1 is taken/);
  });
});
