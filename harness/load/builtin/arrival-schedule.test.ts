import { expect } from 'chai';
import { ArrivalSchedule } from './arrival-schedule.js';

function all(schedule: ArrivalSchedule): number[] {
  const out: number[] = [];
  for (let t = schedule.next(); t !== undefined; t = schedule.next()) out.push(Math.round(t * 1000) / 1000);
  return out;
}

describe('arrival schedule', () => {
  it('spaces a constant rate evenly from 0, rate × duration arrivals in [0, duration)', () => {
    expect(all(new ArrivalSchedule({ kind: 'constant', rate: 10, durationMs: 1000 }))).to.deep.equal([
      0, 100, 200, 300, 400, 500, 600, 700, 800, 900,
    ]);
  });

  it('holds fractional rates: 0.5/s for 5 s is 3 arrivals, 2 s apart', () => {
    expect(all(new ArrivalSchedule({ kind: 'constant', rate: 0.5, durationMs: 5000 }))).to.deep.equal([
      0, 2000, 4000,
    ]);
  });

  it('ramps linearly: arrival k comes when the rate integral reaches k', () => {
    // 0 → 10/s over 2 s: N(t) = 2.5 t², so arrival k at √(k / 2.5) s; 10 arrivals in all.
    const times = all(
      new ArrivalSchedule({ kind: 'ramping', startRate: 0, stages: [{ durationMs: 2000, target: 10 }] }),
    );
    expect(times).to.have.length(10);
    times.forEach((t, k) => expect(t).to.be.closeTo(Math.sqrt(k / 2.5) * 1000, 0.01));
  });

  it('goes through stages in order: ramp up, hold, ramp down, with a pause at rate 0 between', () => {
    const schedule = new ArrivalSchedule({
      kind: 'ramping',
      startRate: 0,
      stages: [
        { durationMs: 1000, target: 100 }, // 50 arrivals
        { durationMs: 1000, target: 100 }, // 100
        { durationMs: 1000, target: 0 }, // 50
        { durationMs: 1000, target: 0 }, // none
        { durationMs: 1000, target: 20 }, // 10
      ],
    });
    expect(schedule.count).to.equal(210);
    const times = all(schedule);
    expect(times).to.have.length(210);
    expect(times.filter((t) => t < 1000)).to.have.length(50);
    expect(times.filter((t) => t >= 1000 && t < 2000)).to.have.length(100);
    expect(times.filter((t) => t >= 2000 && t < 3000)).to.have.length(50);
    expect(times.filter((t) => t >= 3000 && t < 4000)).to.have.length(0);
    expect(times.filter((t) => t >= 4000)).to.have.length(10);
    for (let i = 1; i < times.length; i++) expect(times[i]).to.be.greaterThan(times[i - 1]!);
    // Holding 100/s: exactly 10 ms apart.
    expect(times[60]! - times[59]!).to.be.closeTo(10, 1e-6);
  });
});
