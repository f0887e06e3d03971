import { expect } from 'chai';
import { ManualTimers } from '../api/client/index.js';
import { SpreadTimer } from './spread-timer.js';

describe('SpreadTimer', () => {
  it('visits every index once per period, spread over the period in 25 ms slots', () => {
    const timers = new ManualTimers();
    const visits: [number, number][] = [];
    const timer = new SpreadTimer(100, 250, (i) => visits.push([timers.now(), i]), timers);
    timer.start();
    timers.advance(249);
    expect(visits.map(([, i]) => i).sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: 100 }, (_, i) => i),
    );
    // Ten slots of 25 ms, ten indices each: never more than a tenth of them at one moment.
    const perMoment = new Map<number, number>();
    for (const [t] of visits) perMoment.set(t, (perMoment.get(t) ?? 0) + 1);
    expect([...perMoment.keys()]).to.deep.equal([0, 25, 50, 75, 100, 125, 150, 175, 200, 225]);
    expect(Math.max(...perMoment.values())).to.equal(10);
    timers.advance(250);
    expect(visits.filter(([, i]) => i === 42)).to.have.length(2);
  });

  it('gives each index a slot of its own when they are fewer than the slots', () => {
    const timers = new ManualTimers();
    const at = new Map<number, number>();
    new SpreadTimer(4, 10_000, (i) => at.set(i, timers.now()), timers).start();
    timers.advance(9_999);
    expect([...at]).to.deep.equal([
      [0, 0],
      [1, 2500],
      [2, 5000],
      [3, 7500],
    ]);
  });

  it('visits nothing after stop, even when stopped from a visit', () => {
    const timers = new ManualTimers();
    let visits = 0;
    const timer = new SpreadTimer(
      3,
      300,
      () => {
        visits++;
        if (visits === 2) timer.stop();
      },
      timers,
    );
    timer.start();
    timers.advance(10_000);
    expect(visits).to.equal(2);
    expect(timers.pendingCount).to.equal(0);
  });
});
