import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'api answers',
  type: 'api-availability',
  window: { during: 'kill-apiserver-0' },
  thresholds: { minSuccessRatio: 0.95 },
  ...over,
});

/** An API probe every 500 ms from 0 to 60 s; `failing(t)` says which failed. */
const run = (failing: (t: number) => boolean = () => false) => {
  const b = new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'kill-apiserver-0', type: 'component-kill', targets: ['apiserver-0'] }, 10_000, 40_000);
  for (let t = 0; t < 60_000; t += 500) b.api(t, !failing(t));
  return b;
};

describe('apiAvailabilityCheck', () => {
  it('passes when enough API probes succeeded', () => {
    const [verdict] = judge(run((t) => t === 12_000).build(), [spec()]);
    expect(verdict).to.include({
      outcome: 'pass',
      unit: '%',
      threshold: 'API probe success ratio ≥ 95%',
      summary:
        '98.4% of 61 API probes succeeded while apiserver-0 was killed; the longest run of failed probes lasted 500 ms from 12 s.',
    });
  });

  it('fails when too few succeeded, with the outage and what the probes got', () => {
    const [verdict] = judge(run((t) => t >= 10_000 && t < 15_000).build(), [spec()]);
    expect(verdict!.outcome).to.equal('fail');
    expect(verdict!.measured).to.be.closeTo((51 / 61) * 100, 1e-9);
    expect(verdict!.summary).to.contain('below the 95% required');
    expect(verdict!.evidence).to.deep.equal([
      { t: 10_000, message: '10 probes in a row failed from 10 s to 15 s.' },
      { t: 10_000, message: '10 failed with status 503, first at 10 s.' },
    ]);
  });

  it('fails on maxErrorBurstMs when one run of failed probes outlasts it, even with the ratio met', () => {
    const thresholds = { minSuccessRatio: 0.5, maxErrorBurstMs: 2000 };
    const [verdict] = judge(run((t) => t >= 10_000 && t < 13_000).build(), [spec({ thresholds })]);
    expect(verdict).to.include({
      outcome: 'fail',
      threshold: 'API probe success ratio ≥ 50%, longest run of failed probes ≤ 2 s',
    });
    expect(verdict!.summary).to.not.contain('below');
    expect(verdict!.evidence[0]).to.deep.equal({
      t: 10_000,
      message: '6 probes in a row failed from 10 s to 13 s, longer than the 2 s allowed.',
    });
    const [shortBurst] = judge(run((t) => t >= 10_000 && t < 11_500).build(), [spec({ thresholds })]);
    expect(shortBurst!.outcome).to.equal('pass');
  });

  it('is unknown when the API was not probed in the window', () => {
    const history = new HistoryBuilder()
      .fault({ id: 'kill-apiserver-0' }, 10_000, 40_000)
      .api(50_000, true)
      .build();
    const [verdict] = judge(history, [spec()]);
    expect(verdict).to.include({ outcome: 'unknown', measured: null });
    expect(verdict!.evidence[0]!.message).to.equal('No API probe samples between 10 s and 40 s.');
  });
});
