import { expect } from 'chai';
import { HistoryBuilder } from '../../testing/history-builder.js';
import type { CheckSpec, StepEvent } from '../history/history.js';
import { judge } from './index.js';

const spec = (over: Partial<CheckSpec> = {}): CheckSpec => ({
  name: 'behaviour',
  type: 'steps',
  window: 'whole-run',
  thresholds: {},
  ...over,
});

const step = (t: number, id: string, outcome: StepEvent['outcome'], detail?: string): StepEvent => ({
  t,
  type: 'step',
  step: id,
  action: `kubectl ${id}`,
  outcome,
  durationMs: 100,
  attempts: 1,
  ...(detail ? { detail } : {}),
});

const run = (...steps: StepEvent[]) => {
  const b = new HistoryBuilder().lifecycle(1000, 9000, 9500, 10_000);
  for (const s of steps) b.event(s);
  return b;
};

describe('stepsCheck', () => {
  it('passes when every step passed', () => {
    const [v] = judge(
      run(step(1000, 'create', 'passed'), step(2000, 'wait', 'passed'))
        .check(spec())
        .build(),
    );
    expect(v).to.include({ outcome: 'pass', measured: 0, threshold: 'every step meets its expectation' });
    expect(v!.summary).to.equal('All 2 steps met expectations during the run.');
  });

  it('fails on a failed step, with its detail and the steps skipped after it as evidence', () => {
    const [v] = judge(
      run(
        step(1000, 'create', 'passed'),
        step(2000, 'denied', 'failed', 'exit code 0, expected 1'),
        step(3000, 'after', 'skipped', 'not run: step denied failed'),
      )
        .check(spec())
        .build(),
    );
    expect(v).to.include({ outcome: 'fail', measured: 2 });
    expect(v!.summary).to.equal(
      'Step denied did not meet its expectation during the run: 2 of 3 steps did not pass.',
    );
    expect(v!.evidence).to.deep.equal([
      { t: 2000, message: 'denied failed: exit code 0, expected 1\nthe step: kubectl denied' },
      { message: 'not run after the failure: after' },
    ]);
  });

  it('judges one step alone when selected', () => {
    const history = run(step(1000, 'ok', 'passed'), step(2000, 'bad', 'failed', 'why'))
      .check(spec({ name: 'only-ok', select: { step: 'ok' } }))
      .build();
    const [v] = judge(history);
    expect(v).to.include({ outcome: 'pass', threshold: 'step ok meets its expectation' });
  });

  it('is unknown when no step was recorded', () => {
    const [v] = judge(run().check(spec()).build());
    expect(v!.outcome).to.equal('unknown');
  });
});
