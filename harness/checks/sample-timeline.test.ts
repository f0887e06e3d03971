import { expect } from 'chai';
import { finalStretchStart, sampleTimeline } from './sample-timeline.js';

type S = { t: number; key: string; v: number };
const s = (t: number, key: string, v: number): S => ({ t, key, v });
const values = (latest: ReadonlyMap<string, S>) => Object.fromEntries([...latest].map(([k, x]) => [k, x.v]));

describe('sampleTimeline', () => {
  it('carries each thing’s state in from before the span and replays every sample time in it', () => {
    const samples = [s(0, 'a', 1), s(5, 'b', 9), s(12, 'a', 2), s(14, 'b', 8), s(14, 'a', 3), s(30, 'a', 4)];
    const points = sampleTimeline(samples, (x) => x.key, [10, 20]);
    expect(points.map((p) => [p.t, values(p.latest)])).to.deep.equal([
      [10, { a: 1, b: 9 }],
      [12, { a: 2, b: 9 }],
      [14, { a: 3, b: 8 }],
    ]);
  });

  it('tracks only what was sampled in the span', () => {
    const points = sampleTimeline([s(0, 'gone', 1), s(15, 'a', 1)], (x) => x.key, [10, 20]);
    expect(points.map((p) => [p.t, values(p.latest)])).to.deep.equal([[15, { a: 1 }]]);
  });
});

describe('finalStretchStart', () => {
  const points = [1, 0, 1, 1].map((v, i) => ({ t: i, latest: new Map([['a', s(i, 'a', v)]]) }));

  it('finds where the last stretch that holds begins', () => {
    expect(finalStretchStart(points, (p) => p.latest.get('a')!.v === 1)).to.equal(2);
  });

  it('is undefined when the last point does not hold', () => {
    expect(finalStretchStart(points, (p) => p.latest.get('a')!.v === 0)).to.equal(undefined);
  });
});
