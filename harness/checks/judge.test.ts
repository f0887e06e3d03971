import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec, History } from '../history/history.js';
import type { Checker } from './checker.js';
import { judge, overallOutcome } from './index.js';
import { judgeCheck } from './judge.js';

const availability: CheckSpec = {
  name: 'echo stays up',
  type: 'availability',
  window: 'whole-run',
  thresholds: { minSuccessRatio: 0.99 },
};

const run = () =>
  new HistoryBuilder()
    .lifecycle(10_000, 40_000, 41_000, 60_000)
    .fault({ id: 'kill-worker-2' }, 10_000, 40_000)
    .loadSeconds(0, 60_000);

describe('judge', () => {
  it('judges the checks the scenario declared, in their order', () => {
    const history = run()
      .check(availability)
      .check({
        name: 'api',
        type: 'api-availability',
        window: 'whole-run',
        thresholds: { minSuccessRatio: 0.9 },
      })
      .build();
    const verdicts = judge(history);
    expect(verdicts.map((v) => [v.check, v.outcome])).to.deep.equal([
      ['echo stays up', 'pass'],
      ['api', 'unknown'],
    ]);
    expect(overallOutcome(verdicts)).to.equal('unknown');
  });

  it('turns a checker that throws into unknown with the error in the evidence', () => {
    const throwing: Checker<unknown> = {
      type: 'availability',
      shape: { description: '', thresholds: {}, select: {}, windows: 'any', measures: '' },
      unit: '%',
      options: () => ({}),
      threshold: () => 'success ratio ≥ 99%',
      check: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'ok')");
      },
    };
    const verdict = judgeCheck(run().build(), availability, { availability: throwing });
    expect(verdict).to.deep.include({
      check: 'echo stays up',
      outcome: 'unknown',
      measured: null,
      unit: '%',
      threshold: 'success ratio ≥ 99%',
      span: [0, 60_000],
      summary: 'This check could not be judged: its checker failed.',
    });
    expect(verdict.evidence[0]!.message).to.contain(
      "TypeError: Cannot read properties of undefined (reading 'ok')",
    );
  });

  it('never throws on a history it cannot read', () => {
    const broken = { ...run().build(), series: {} } as unknown as History;
    const [verdict] = judge(broken, [availability]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.evidence[0]!.message).to.match(/^The checker failed/);
  });

  it('reports a bad spec and a bad window together', () => {
    const [verdict] = judge(run().build(), [
      { ...availability, window: { during: 'kill-worker-3' }, thresholds: { minSuccessRatio: 99 } },
    ]);
    expect(verdict).to.include({ outcome: 'unknown', threshold: 'minSuccessRatio 99' });
    expect(verdict!.span).to.equal(undefined);
    expect(verdict!.evidence.map((e) => e.message)).to.deep.equal([
      'Check "echo stays up" (availability) is invalid: threshold "minSuccessRatio" must be a ratio between 0 and 1 (0.99 means 99%), got 99.',
      'The history has no fault "kill-worker-3" for the window "during" (it has "kill-worker-2").',
    ]);
    expect(verdict!.summary).to.equal(
      'This check could not be judged: check "echo stays up" (availability) is invalid: threshold "minSuccessRatio" must be a ratio between 0 and 1 (0.99 means 99%), got 99.',
    );
  });

  it('is unknown for a check type it has no checker for', () => {
    const [verdict] = judge(run().build(), [{ ...availability, type: 'linearizable' as CheckSpec['type'] }]);
    expect(verdict!.outcome).to.equal('unknown');
    expect(verdict!.evidence[0]!.message).to.contain('There is no checker for the check type "linearizable"');
  });

  it('merges outcomes so that one failure fails the run', () => {
    const history = run().loadSeconds(20_000, 22_000, { failed: 100 }).build();
    const verdicts = judge(history, [
      availability,
      { ...availability, name: 'before', window: 'before-faults' },
      { ...availability, name: 'nowhere', window: { during: 'missing' } },
    ]);
    expect(verdicts.map((v) => v.outcome)).to.deep.equal(['fail', 'pass', 'unknown']);
    expect(overallOutcome(verdicts)).to.equal('fail');
  });
});
