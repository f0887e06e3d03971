import {
  overallOutcome,
  sabotageScore,
  type ExpectationVerdict,
  type Verdict,
  type VerdictOutcome,
} from '../checks/index.js';
import type { RunReporter, ScenarioRun } from './run-reporter.js';

const MARK = { pass: '✔', fail: '✘', unknown: '?' } as const;
/** Evidence lines shown under a verdict that did not pass; the report has them all. */
const EVIDENCE_SHOWN = 3;

/**
 * Each run's verdicts as a table on the terminal, and the harness's own failure when there was one.
 * A sabotage run also gets its judgement against `expect`, and the suite ends with the score of
 * those runs: "caught N of M known bugs".
 */
export class VerdictTableReporter implements RunReporter {
  readonly name = 'verdict table';

  constructor(private readonly write: (text: string) => void = (t) => void process.stdout.write(t)) {}

  onScenarioEnd({ scenario, result }: ScenarioRun): void {
    // A sabotage run is right when its check fails: its headline mark is its expectation's.
    this.write(verdictTable(scenario.name, result.verdicts, result.expectation?.outcome));
    if (result.expectation) this.write(expectationLines(result.expectation));
    if (result.error) this.write(`  the harness failed: ${result.error.message}\n`);
  }

  onEnd(runs: readonly ScenarioRun[]): void {
    const judged = runs.flatMap((r) => (r.result.expectation ? [r.result.expectation.result] : []));
    if (judged.length > 0) this.write(`sabotage: ${sabotageScore(judged).text}\n`);
  }
}

/** `  ✔ sabotage caught by self-heal` and the evidence that names the cause. */
export function expectationLines(e: ExpectationVerdict): string {
  return [
    `  ${MARK[e.outcome]} sabotage ${e.result}: expected ${e.expected.fails} to fail`,
    `      ${e.summary}`,
    ...e.evidence.slice(0, EVIDENCE_SHOWN).map((ev) => `      - ${ev.message.split('\n')[0]}`),
    '',
  ].join('\n');
}

export function verdictTable(
  name: string,
  verdicts: readonly Verdict[],
  headline: VerdictOutcome = overallOutcome(verdicts),
): string {
  return [
    `${MARK[headline]} ${name}`,
    ...verdicts.flatMap((v) => [
      `  ${MARK[v.outcome]} ${v.check.padEnd(40)} ${(v.measured === null ? 'n/a' : `${Number(v.measured.toFixed(2))} ${v.unit}`).padEnd(16)} ${v.threshold}`,
      ...(v.outcome === 'pass'
        ? []
        : [
            `      ${v.summary}`,
            ...v.evidence.slice(0, EVIDENCE_SHOWN).map((e) => `      - ${e.message.split('\n')[0]}`),
            ...(v.evidence.length > EVIDENCE_SHOWN
              ? [`      (${v.evidence.length - EVIDENCE_SHOWN} more in the report)`]
              : []),
          ]),
    ]),
    '',
  ].join('\n');
}
