import { expect } from 'chai';
import {
  downsample,
  laneSegments,
  linePath,
  linearScale,
  logScale,
  timeTicks,
  timeX,
  valueTicks,
  valueY,
  type Point,
} from './chart-geometry.js';

const axis = { endT: 60_000, left: 100, width: 600 };

describe('chart geometry', () => {
  it('maps run time onto the plot and clamps what falls outside it', () => {
    expect(timeX(axis, 0)).to.equal(100);
    expect(timeX(axis, 30_000)).to.equal(400);
    expect(timeX(axis, 60_000)).to.equal(700);
    expect(timeX(axis, -5)).to.equal(100);
    expect(timeX(axis, 90_000)).to.equal(700);
  });

  it('puts time ticks on round steps', () => {
    expect(timeTicks(axis).map((t) => t.label)).to.deep.equal([
      '0:00',
      '0:10',
      '0:20',
      '0:30',
      '0:40',
      '0:50',
      '1:00',
    ]);
    expect(timeTicks({ ...axis, endT: 600_000 }).map((t) => t.label)).to.include.members([
      '0:00',
      '5:00',
      '10:00',
    ]);
  });

  it('ends a linear scale on a tick above the largest value', () => {
    const scale = linearScale(50, 0, 100);
    expect(scale.max).to.be.greaterThan(50);
    const ticks = valueTicks(scale, String);
    expect(ticks[ticks.length - 1].label).to.equal(String(scale.max));
    expect(valueY(scale, 0)).to.equal(100);
    expect(valueY(scale, scale.max)).to.equal(0);
  });

  it('covers whole decades on a log scale and clamps non-positive values to its floor', () => {
    const scale = logScale(2, 1800, 0, 90);
    expect([scale.min, scale.max]).to.deep.equal([1, 10_000]);
    expect(valueTicks(scale, String).map((t) => t.label)).to.deep.equal(['1', '10', '100', '1000', '10000']);
    expect(valueY(scale, 0)).to.equal(90);
  });

  it('gives a log scale of one decade when there is no positive value (a run without load)', () => {
    const scale = logScale(Infinity, 0, 0, 90);
    expect([scale.min, scale.max]).to.deep.equal([1, 10]);
    expect(valueTicks(scale, String).map((t) => t.label)).to.deep.equal(['1', '10']);
  });

  it('downsamples to at most the limit and keeps a one-sample spike', () => {
    const points: Point[] = Array.from({ length: 3600 }, (_, i) => ({
      t: i * 1000,
      v: i === 1234 ? 999 : 1,
    }));
    const thin = downsample(points, 600, 'max');
    expect(thin.length).to.be.at.most(600);
    expect(Math.max(...thin.map((p) => p.v ?? 0))).to.equal(999);
    expect(downsample(points, 600, 'min').every((p) => p.v === 1)).to.equal(true);
  });

  it('leaves short lines alone', () => {
    const points: Point[] = [
      { t: 0, v: 1 },
      { t: 1000, v: 2 },
    ];
    expect(downsample(points, 600, 'mean')).to.deep.equal(points);
  });

  it('breaks a line where nothing was measured', () => {
    const scale = linearScale(10, 0, 100);
    const path = linePath(
      [
        { t: 0, v: 1 },
        { t: 10_000, v: 2 },
        { t: 20_000, v: null },
        { t: 30_000, v: 3 },
      ],
      axis,
      scale,
    );
    expect(path.match(/M/g)).to.have.length(2);
    expect(path.match(/L/g)).to.have.length(1);
  });

  it('merges equal neighbouring lane samples into one segment', () => {
    const samples = [0, 1000, 2000, 3000, 4000].map((t) => ({ t, state: t === 2000 ? 'False' : 'True' }));
    const segments = laneSegments(samples, 60_000, (s) => (s === 'False' ? 1 : 0), 600);
    expect(segments.map((s) => [s.startT, s.endT, s.state])).to.deep.equal([
      [0, 2000, 'True'],
      [2000, 3000, 'False'],
      [3000, 5000, 'True'],
    ]);
  });

  it('keeps a short outage visible when a flapping lane is bucketed', () => {
    // 2000 alternating samples, then one False sample among long True stretches.
    const samples = Array.from({ length: 4000 }, (_, i) => ({
      t: i * 1000,
      state: i === 3500 ? 'False' : i < 2000 && i % 2 ? 'Unknown' : 'True',
    }));
    const severity = (s: string) => ({ True: 0, Unknown: 1, False: 2 })[s] ?? 0;
    const segments = laneSegments(samples, 4_000_000, severity, 100);
    expect(segments.length).to.be.at.most(100);
    expect(segments.some((s) => s.state === 'False' && s.startT <= 3_500_000 && s.endT > 3_500_000)).to.equal(
      true,
    );
    expect(segments[segments.length - 1].state).to.equal('True');
  });
});
