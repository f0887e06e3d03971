import { expect } from 'chai';
import { RequestMix } from './request-mix.js';

describe('request mix', () => {
  it('picks requests in proportion to their weights, spread through the cycle rather than in runs', () => {
    const mix = new RequestMix([
      { name: 'a', weight: 3 },
      { name: 'b', weight: 1 },
    ]);
    expect(Array.from({ length: 8 }, () => mix.next().name).join('')).to.equal('aabaaaba');
    expect(RequestMix.cycle([5, 1, 1])).to.deep.equal([0, 0, 1, 0, 2, 0, 0]);
  });

  it('is the same sequence every time', () => {
    expect(RequestMix.cycle([2, 3, 1])).to.deep.equal(RequestMix.cycle([2, 3, 1]));
  });
});
