import { judge, type Verdict } from '../checks/index.js';
import type { CheckSpec, CheckWindow, History } from '../history/index.js';

/** What the assertions take: a run's result (from runScenario), or its history and verdicts. */
interface Judged {
  history: History;
  verdicts: readonly Verdict[];
}

/** The part of chai's plugin interface this plugin uses (chai 4, 5 and 6 alike). */
interface ChaiStatic {
  Assertion: {
    addMethod(name: string, method: (this: ChaiAssertion, ...args: never[]) => void): void;
  };
}

interface ChaiAssertion {
  _obj: unknown;
  assert(
    passed: boolean,
    message: string,
    negatedMessage: string,
    expected?: unknown,
    actual?: unknown,
  ): void;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion {
      /** Every check of the run passed. */
      passEveryCheck(): Assertion;
      /** The named check passed. */
      passCheck(name: string): Assertion;
      /** The load's success ratio was at least `ratio` (0..1) in the window (default: the whole run). */
      keepAvailability(ratio: number, window?: CheckWindow, load?: string): Assertion;
      /** No container the kubelets ran restarted or was replaced in place, in the window (default: the whole run). */
      restartNoPod(window?: CheckWindow): Assertion;
    }
  }
}

/**
 * crucible's chai plugin: `chai.use(crucibleChai)`, then on what runScenario gives —
 * `expect(run).to.passEveryCheck()`, `expect(run).to.passCheck('self-heal')`,
 * `expect(run).to.keepAvailability(0.99, { during: 'lose-a-worker' })`, `expect(run).to.restartNoPod()`.
 * Each assertion is a check judged on the run's history (the same checkers as a scenario's), and a
 * failure says what the check measured and why.
 */
export function crucibleChai(chai: ChaiStatic): void {
  chai.Assertion.addMethod('passEveryCheck', function () {
    const { verdicts } = judged(this._obj);
    const notPassed = verdicts.filter((v) => v.outcome !== 'pass');
    this.assert(
      notPassed.length === 0 && verdicts.length > 0,
      `expected every check to pass, but ${verdicts.length === 0 ? 'the run has none' : notPassed.map(words).join('; ')}`,
      'expected some check not to pass, but every check passed',
    );
  });
  chai.Assertion.addMethod('passCheck', function (name: string) {
    const { verdicts } = judged(this._obj);
    const verdict = verdicts.find((v) => v.check === name);
    this.assert(
      verdict?.outcome === 'pass',
      verdict
        ? `expected check ${words(verdict)}, to pass`
        : `expected a check named ${name}; the run has ${verdicts.map((v) => v.check).join(', ') || 'none'}`,
      `expected check ${name} not to pass, but it passed`,
    );
  });
  chai.Assertion.addMethod(
    'keepAvailability',
    function (ratio: number, window: CheckWindow = 'whole-run', load?: string) {
      const verdict = judgeOne(this._obj, {
        name: 'availability',
        type: 'availability',
        window,
        thresholds: { minSuccessRatio: ratio },
        ...(load ? { select: { load } } : {}),
      });
      this.assert(
        verdict.outcome === 'pass',
        `expected ${words(verdict)}`,
        `expected availability below ${ratio}: ${verdict.summary}`,
      );
    },
  );
  chai.Assertion.addMethod('restartNoPod', function (window: CheckWindow = 'whole-run') {
    const verdict = judgeOne(this._obj, { name: 'no-restarts', type: 'no-restarts', window, thresholds: {} });
    this.assert(
      verdict.outcome === 'pass',
      `expected ${words(verdict)}`,
      `expected a pod to restart: ${verdict.summary}`,
    );
  });
}

function judged(value: unknown): Judged {
  const run = value as Partial<Judged> | null;
  if (!run || typeof run !== 'object' || !run.history || !Array.isArray(run.verdicts))
    throw new TypeError('crucible assertions take a run: { history, verdicts }, as runScenario gives it');
  return run as Judged;
}

function judgeOne(value: unknown, spec: CheckSpec): Verdict {
  return judge(judged(value).history, [spec])[0]!;
}

function words(v: Verdict): string {
  const measured =
    v.measured === null ? 'nothing measured' : `measured ${Number(v.measured.toFixed(4))} ${v.unit}`;
  return `${v.check} (${v.outcome}: ${measured}; threshold ${v.threshold}): ${v.summary}`;
}
