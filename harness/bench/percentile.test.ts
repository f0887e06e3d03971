import { expect } from 'chai';
import { percentile } from './percentile.js';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 0.5)).to.equal(50);
    expect(percentile(s, 0.99)).to.equal(99);
    expect(percentile(s, 1)).to.equal(100);
    expect(percentile([7], 0.99)).to.equal(7);
  });

  it('is 0 without samples', () => {
    expect(percentile([], 0.5)).to.equal(0);
  });
});
