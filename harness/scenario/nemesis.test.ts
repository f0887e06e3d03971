import { expect } from 'chai';
import { expandNemesis, type NemesisSpec } from './nemesis.js';

const nemesis: NemesisSpec = {
  types: ['node-loss', 'node-pause', 'node-partition'],
  startMs: 5000,
  intervalMs: 15_000,
  durationMs: 5000,
  count: 6,
  target: 'random',
};

describe('expandNemesis', () => {
  it('starts fault i at start + i × interval, each lasting the duration, ids nemesis-1…', () => {
    const faults = expandNemesis(nemesis, 7);
    expect(faults.map((f) => f.id)).to.deep.equal([1, 2, 3, 4, 5, 6].map((n) => `nemesis-${n}`));
    expect(faults.map((f) => f.atMs)).to.deep.equal([5000, 20_000, 35_000, 50_000, 65_000, 80_000]);
    for (const f of faults) {
      expect(f.forMs).to.equal(5000);
      expect(f.target).to.equal('random');
      expect(f.options).to.deep.equal({});
      expect(nemesis.types).to.include(f.type);
    }
  });

  it('draws the same schedule from the same seed', () => {
    expect(expandNemesis(nemesis, 42)).to.deep.equal(expandNemesis(nemesis, 42));
  });

  it('draws different schedules from different seeds', () => {
    const schedules = new Set(
      [1, 2, 3, 4, 5].map((seed) =>
        expandNemesis(nemesis, seed)
          .map((f) => f.type)
          .join(','),
      ),
    );
    expect(schedules.size).to.be.greaterThan(1);
  });

  it('draws every type sooner or later', () => {
    const types = new Set(expandNemesis({ ...nemesis, count: 60 }, 3).map((f) => f.type));
    expect([...types].sort()).to.deep.equal([...nemesis.types].sort());
  });
});
