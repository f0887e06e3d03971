import type { StepEvent } from '../history/history.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { listWords, plural } from './format-figures.js';
import type { Evidence } from './verdict.js';
import { inSpan } from './window-span.js';

const shape = {
  description:
    "Did the scenario's steps meet their expectations? Passes when every step started in the window passed. A scenario with kubectl steps gets this check (named steps) by itself unless it declares one, so a failed step never leaves a run green.",
  thresholds: {},
  select: { step: 'judge this step (its id) alone' },
  windows: 'any (default whole-run: every step)',
  measures: 'the steps that did not pass: failed, or skipped after a failure',
} as const satisfies CheckSpecShape;

type StepsOptions = ReadCheckSpec<typeof shape>;

/**
 * steps: did the scenario's steps meet their expectations? A conformance behaviour is a list of
 * kubectl steps, each with what its output must show; this check passes when every step started
 * in the window passed.
 *
 * Measured: steps that did not pass (failed or skipped after a failure). Unknown when no step was
 * recorded in the window (the run stopped before its steps).
 */
export const stepsCheck: Checker<StepsOptions> = {
  type: 'steps',
  shape,
  unit: 'steps not passed',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ select }) =>
    select.step === undefined
      ? 'every step meets its expectation'
      : `step ${select.step} meets its expectation`,
  check({ history, span, windowPhrase }, { select }) {
    const steps = history.events.filter(
      (e): e is StepEvent =>
        e.type === 'step' && inSpan(e.t, span) && (select.step === undefined || e.step === select.step),
    );
    const subject =
      select.step !== undefined
        ? `Step ${select.step}`
        : steps.length === 1
          ? 'The one step'
          : `All ${plural(steps.length, 'step')}`;
    if (steps.length === 0)
      return cannotJudge(
        `${select.step === undefined ? 'The steps' : subject} could not be judged ${windowPhrase}: none was recorded.`,
        'No step event in the window: the run ended before its steps ran.',
      );
    const failed = steps.filter((s) => s.outcome === 'failed');
    const skipped = steps.filter((s) => s.outcome === 'skipped');
    const notPassed = failed.length + skipped.length;
    if (notPassed === 0)
      return {
        outcome: 'pass',
        measured: 0,
        summary: `${subject} met expectations ${windowPhrase}.`,
        evidence: [],
      };
    // Why first: a console shows an evidence's first line, and the miss is what a reader needs.
    const evidence: Evidence[] = failed.map((s) => ({
      t: s.t,
      message: `${s.step} failed: ${s.detail ?? 'no detail recorded'}\nthe step: ${s.action}`,
    }));
    if (skipped.length)
      evidence.push({ message: `not run after the failure: ${listWords(skipped.map((s) => s.step))}` });
    const first = failed[0] ? `Step ${failed[0].step} did not meet its expectation` : 'Steps were skipped';
    const tally = steps.length > 1 ? `: ${notPassed} of ${steps.length} steps did not pass` : '';
    return { outcome: 'fail', measured: notPassed, summary: `${first} ${windowPhrase}${tally}.`, evidence };
  },
};
