import { overallOutcome, type Verdict } from '../checks/index.js';
import type { RunReporter, ScenarioRun } from './run-reporter.js';

const MARK = { pass: '✔', fail: '✘', unknown: '?' } as const;
/** Evidence lines shown under a verdict that did not pass; the report has them all. */
const EVIDENCE_SHOWN = 3;

/** Each run's verdicts as a table on the terminal, and the harness's own failure when there was one. */
export class VerdictTableReporter implements RunReporter {
  readonly name = 'verdict table';

  constructor(private readonly write: (text: string) => void = (t) => void process.stdout.write(t)) {}

  onScenarioEnd({ scenario, result }: ScenarioRun): void {
    this.write(verdictTable(scenario.name, result.verdicts));
    if (result.error) this.write(`  the harness failed: ${result.error.message}\n`);
  }
}

export function verdictTable(name: string, verdicts: readonly Verdict[]): string {
  return [
    `${MARK[overallOutcome(verdicts)]} ${name}`,
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
