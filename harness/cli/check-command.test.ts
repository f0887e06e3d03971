import { expect } from 'chai';
import type { CheckSpec } from '../history/history.js';
import { withThresholds } from './check-command.js';
import { UsageError } from './usage-error.js';

const declared: CheckSpec[] = [
  {
    name: 'availability',
    type: 'availability',
    window: 'whole-run',
    thresholds: { minSuccessRatio: 0.95 },
    select: { load: 'echo' },
  },
  { name: 'self.heal', type: 'self-heal', window: { during: 'kill' }, thresholds: { maxMs: 5000 } },
];

function problemsOf(sets: string[]): string[] {
  try {
    withThresholds(declared, sets);
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError).with.property('code', 'InvalidFlag');
    return (e as Error).message.split('\n');
  }
  throw new Error('no UsageError');
}

describe('crucible check --set', () => {
  it('changes the thresholds named, leaves the rest, and says what changed', () => {
    const { checks, changes } = withThresholds(declared, [
      'availability.minSuccessRatio=0.5',
      'availability.maxErrorBurstMs=2000',
      'self.heal.maxMs=8000',
    ]);
    expect(checks.map((c) => c.thresholds)).to.deep.equal([
      { minSuccessRatio: 0.5, maxErrorBurstMs: 2000 },
      { maxMs: 8000 },
    ]);
    expect(checks[0]!.select).to.deep.equal({ load: 'echo' });
    expect(changes).to.deep.equal([
      'availability: minSuccessRatio 0.95 → 0.5',
      'availability: maxErrorBurstMs (not set) → 2000',
      'self.heal: maxMs 5000 → 8000',
    ]);
    expect(declared[0]!.thresholds, 'the declared checks are left as they were').to.deep.equal({
      minSuccessRatio: 0.95,
    });
  });

  it('refuses every --set that cannot be used at once, listing what there is', () => {
    expect(
      problemsOf([
        'availability.minSucessRatio=0.5',
        'availabilty.minSuccessRatio=0.5',
        'availability.minSuccessRatio=95',
        'self.heal.maxMs=5s',
        'availability=0.5',
      ]),
    ).to.deep.equal([
      '--set availability.minSucessRatio=0.5: unknown threshold "minSucessRatio" (availability takes minSuccessRatio, maxErrorBurstMs); did you mean "minSuccessRatio"?',
      '--set availabilty.minSuccessRatio=0.5: the run has no check "availabilty"; its checks: availability, self.heal',
      '--set availability.minSuccessRatio=95: threshold "minSuccessRatio" must be a ratio between 0 and 1 (0.99 means 99%), got 95',
      '--set self.heal.maxMs=5s: threshold "maxMs" must be a number of milliseconds (5000, not "5s"), got "5s"',
      '--set availability=0.5: write CHECK.THRESHOLD=VALUE, e.g. availability.minSuccessRatio=0.5',
    ]);
  });
});
