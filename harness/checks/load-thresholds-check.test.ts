import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec, History } from '../history/history.js';
import { judge } from './index.js';

const spec: CheckSpec = {
  name: 'k6-thresholds',
  type: 'load-thresholds',
  window: 'whole-run',
  thresholds: {},
};

function withThresholds(...crossed: boolean[]): History {
  const history = new HistoryBuilder().lifecycle(5_000, 20_000, 21_000, 30_000).build();
  history.events.push({
    t: 29_000,
    type: 'load-thresholds',
    load: 'echo',
    thresholds: crossed.map((c, i) => ({
      metric: i ? 'http_req_duration' : 'http_req_failed',
      expression: i ? 'p(95)<200' : 'rate<0.01',
      crossed: c,
    })),
  });
  return history;
}

describe('loadThresholdsCheck', () => {
  it("passes when every k6 threshold held, as k6's exit 0", () => {
    const [verdict] = judge(withThresholds(false, false), [spec]);
    expect(verdict).to.include({ outcome: 'pass', measured: 0, summary: 'All 2 k6 thresholds held.' });
  });

  it('fails on a crossed threshold, naming the load, the metric and the expression', () => {
    const [verdict] = judge(withThresholds(false, true), [spec]);
    expect(verdict).to.include({ outcome: 'fail', measured: 1, summary: '1 of 2 k6 thresholds crossed.' });
    expect(verdict!.evidence).to.deep.equal([
      { message: 'load echo: http_req_duration p(95)<200 was crossed' },
    ]);
  });

  it('is unknown when no k6 load reported its thresholds', () => {
    const history = new HistoryBuilder().lifecycle(5_000, 20_000, 21_000, 30_000).build();
    expect(judge(history, [spec])[0]!.outcome).to.equal('unknown');
    expect(judge(withThresholds(true), [{ ...spec, select: { load: 'other' } }])[0]!.outcome).to.equal(
      'unknown',
    );
  });
});
