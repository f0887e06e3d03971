import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'echo stays fast',
  type: 'latency',
  window: 'before-faults',
  thresholds: { maxP99Ms: 100, maxMaxMs: 1_000 },
  ...over,
});

const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'slow-link', type: 'link-latency', targets: ['worker-1-to-apiserver-0'] }, 10_000, 40_000);

describe('latencyCheck', () => {
  it('passes when every second’s percentiles stay under their limits', () => {
    const history = run()
      .loadSeconds(0, 60_000, (t) => ({ latencyMs: { p99: t === 3_000 ? 80 : 20, max: 300 } }))
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      measured: 80,
      unit: 'ms',
      threshold: 'p99 ≤ 100 ms, slowest request ≤ 1 s in every second',
      summary:
        'Over 10 seconds of load before the first fault, the worst per-second p99 was 80 ms (limit 100 ms) and slowest request was 300 ms (limit 1 s).',
    });
  });

  it('fails when one second is over a limit, naming the second', () => {
    const history = run()
      .loadSeconds(0, 60_000, (t) => ({ latencyMs: { p99: t === 6_000 ? 450 : 20 } }))
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({ outcome: 'fail', measured: 450 });
    expect(verdict!.evidence[0]).to.deep.equal({
      t: 6_000,
      message: 'Worst per-second p99: 450 ms at 6 s (load echo), limit 100 ms — 1 second over it.',
    });
  });

  it('is unknown when the window holds no load', () => {
    const history = run().loadSeconds(20_000, 60_000).build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({ outcome: 'unknown', measured: null });
    expect(verdict!.evidence[0]!.message).to.equal(
      'No load second that sent a request for any load between 0 s and 10 s.',
    );
  });

  it('is unknown, saying why, when no percentile limit is given', () => {
    const [verdict] = judge(run().loadSeconds(0, 60_000).build(), [spec({ thresholds: {} })]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.evidence[0]!.message).to.contain(
      'latency needs at least one of maxP50Ms, maxP90Ms, maxP99Ms, maxMaxMs',
    );
  });
});
