import type { ExpectedOutcome } from '../history/history.js';
import type { Evidence, Verdict, VerdictOutcome } from './verdict.js';

/**
 * How a sabotage run came out against its expectation:
 * - `caught`: the named check failed, with evidence, and no other check failed;
 * - `missed`: the named check passed, so the known bug went unnoticed;
 * - `misattributed`: another check failed (instead of, or beside, the named one): the harness saw
 *   something, but did not point at the cause;
 * - `inconclusive`: the named check could not be judged, was not judged, or failed without evidence.
 */
export type SabotageResult = 'caught' | 'missed' | 'misattributed' | 'inconclusive';

/** A sabotage scenario's judgement: its own outcome (pass = caught) and why, in words. */
export interface ExpectationVerdict {
  expected: ExpectedOutcome;
  result: SabotageResult;
  /** pass when caught, fail when missed or misattributed, unknown when inconclusive. */
  outcome: VerdictOutcome;
  summary: string;
  /** The named check's evidence (the cause, when caught), or the other checks' failures. */
  evidence: Evidence[];
}

const OUTCOME_OF: Readonly<Record<SabotageResult, VerdictOutcome>> = {
  caught: 'pass',
  missed: 'fail',
  misattributed: 'fail',
  inconclusive: 'unknown',
};

/**
 * Judges a sabotage run: the verdicts of its checks against the check it expects to fail. Pure;
 * the verdicts themselves stay as the checkers gave them (the report shows the failed check).
 */
export function judgeExpectation(
  expected: ExpectedOutcome,
  verdicts: readonly Verdict[],
): ExpectationVerdict {
  const named = verdicts.find((v) => v.check === expected.fails);
  const others = verdicts.filter((v) => v !== named && v.outcome === 'fail');
  const verdict = (result: SabotageResult, summary: string, evidence: Evidence[]): ExpectationVerdict => ({
    expected,
    result,
    outcome: OUTCOME_OF[result],
    summary,
    evidence,
  });
  const otherEvidence = others.map((v) => ({ message: `${v.check} failed: ${v.summary}` }));
  if (!named)
    return verdict(
      'inconclusive',
      `The check "${expected.fails}" was not judged in this run.`,
      otherEvidence,
    );
  if (others.length > 0)
    return verdict(
      'misattributed',
      `Expected only "${expected.fails}" to fail, but ${others.map((v) => `"${v.check}"`).join(', ')} failed ${named.outcome === 'fail' ? 'too' : `instead (${expected.fails}: ${named.outcome})`}.`,
      otherEvidence,
    );
  if (named.outcome === 'pass')
    return verdict('missed', `The known bug was missed: "${expected.fails}" passed (${named.summary}).`, []);
  if (named.outcome === 'unknown')
    return verdict(
      'inconclusive',
      `"${expected.fails}" could not be judged: ${named.summary}`,
      named.evidence,
    );
  if (named.evidence.length === 0)
    return verdict('inconclusive', `"${expected.fails}" failed but gave no evidence of the cause.`, []);
  return verdict('caught', `Caught by "${expected.fails}": ${named.summary}`, named.evidence);
}

/** The sabotage score of a set of runs: how many of their known bugs were caught. */
export interface SabotageScore {
  caught: number;
  total: number;
  /** "caught 9 of 11 known bugs". */
  text: string;
}

export function sabotageScore(results: readonly SabotageResult[]): SabotageScore {
  const caught = results.filter((r) => r === 'caught').length;
  const total = results.length;
  return { caught, total, text: `caught ${caught} of ${total} known bug${total === 1 ? '' : 's'}` };
}
