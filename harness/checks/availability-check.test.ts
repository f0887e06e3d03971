import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'echo stays up',
  type: 'availability',
  window: { during: 'kill-worker-2' },
  thresholds: { minSuccessRatio: 0.99, maxErrorBurstMs: 2000 },
  ...over,
});

// worker-2 is lost from 10 s to 40 s: the window holds the 30 load seconds 10 s … 39 s.
const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'kill-worker-2', type: 'node-loss', targets: ['worker-2'] }, 10_000, 40_000);

describe('availabilityCheck', () => {
  it('passes when the success ratio and the longest error burst stay within bounds', () => {
    const history = run()
      .loadSeconds(0, 60_000, (t) => (t === 12_000 ? { failed: 10, failures: { refused: 10 } } : {}))
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      unit: '%',
      threshold: 'success ratio ≥ 99%, longest error burst ≤ 2 s',
      summary:
        '99.7% of 3,000 requests succeeded while worker-2 was lost; the longest run of errors lasted 1 s.',
    });
    expect(verdict!.measured).to.be.closeTo(99.667, 0.001);
    expect(verdict!.span).to.deep.equal([10_000, 40_000]);
    expect(verdict!.evidence.map((e) => e.message)).to.include(
      'At 12 s, 10 of 100 requests to load echo failed (refused 10).',
    );
  });

  it('fails when too many requests failed, naming the worst seconds and their kinds of failure', () => {
    const history = run()
      .loadSeconds(0, 60_000, (t) =>
        t >= 12_000 && t < 15_000 ? { failed: 20, failures: { refused: 15, timeout: 5 } } : {},
      )
      .loadSecond(13_000, { load: 'other', failed: 30 })
      .build();
    const [verdict] = judge(history, [spec({ select: { load: 'echo' } })]);
    expect(verdict!.outcome).to.equal('fail');
    expect(verdict!.measured).to.equal(98);
    const messages = verdict!.evidence.map((e) => e.message);
    expect(messages[0]).to.equal('60 of 3,000 requests failed: success ratio 98%, below 99%.');
    expect(messages).to.include(
      'The longest error burst ran from 12 s to 15 s (3 s), longer than the 2 s allowed.',
    );
    expect(messages).to.include('At 12 s, 20 of 100 requests to load echo failed (refused 15, timeout 5).');
    expect(messages.join(' ')).not.to.contain('load other');
  });

  it('names the pods that answered the failed requests, when the answers said', () => {
    const history = run()
      .loadSeconds(10_000, 40_000, (t) =>
        t % 2000 === 0
          ? { failed: 30, failures: { http: 30 }, failedByPod: { 'echo-never-ready': 28, 'echo-1': 2 } }
          : {},
      )
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict!.outcome).to.equal('fail');
    expect(verdict!.evidence.map((e) => e.message)).to.include(
      'Failed requests answered by a pod that named itself: 420 by default/echo-never-ready, 30 by default/echo-1.',
    );
    const passing = run().loadSeconds(0, 60_000, { failed: 0 }).build();
    expect(
      judge(passing, [spec()])[0]!
        .evidence.map((e) => e.message)
        .join(' '),
    ).to.not.include('named itself');
  });

  it('fails on an error burst longer than allowed even when the ratio holds', () => {
    const history = run()
      .loadSeconds(0, 60_000, (t) => (t >= 20_000 && t < 24_000 ? { failed: 1 } : {}))
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict!.outcome).to.equal('fail');
    expect(verdict!.summary).to.contain('the longest run of errors lasted 4 s');
    expect(verdict!.evidence[0]).to.deep.equal({
      t: 20_000,
      message: 'The longest error burst ran from 20 s to 24 s (4 s), longer than the 2 s allowed.',
    });
  });

  it('leaves dropped requests out of the ratio', () => {
    const history = run().loadSeconds(0, 60_000, { count: 100, dropped: 50 }).build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict!.outcome).to.equal('pass');
    expect(verdict!.measured).to.equal(100);
    expect(verdict!.summary).to.contain('(1,500 more were dropped by the load driver and not counted)');
  });

  it('is unknown when the window holds no load, and says which load it looked for', () => {
    const history = run().loadSeconds(0, 60_000).build();
    const [verdict] = judge(history, [spec({ select: { load: 'checkout' } })]);
    expect(verdict).to.include({ outcome: 'unknown', measured: null });
    expect(verdict!.evidence[0]!.message).to.equal(
      'No load samples for load checkout between 10 s and 40 s.',
    );
  });

  it('is unknown, saying why, when a threshold is missing or misspelt', () => {
    const history = run().loadSeconds(0, 60_000).build();
    const [verdict] = judge(history, [spec({ thresholds: { minSucessRatio: 0.99 } })]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.evidence[0]!.message).to.contain('unknown threshold "minSucessRatio"');
    expect(verdict!.evidence[0]!.message).to.contain('did you mean "minSuccessRatio"?');
    const [missing] = judge(history, [spec({ thresholds: {} })]);
    expect(missing!.evidence[0]!.message).to.contain('missing threshold "minSuccessRatio"');
  });
});
