import { overallOutcome, type ExpectationVerdict, type Verdict } from '../checks/index.js';

/** Exit codes of `crucible run` and `crucible check`: 0 all passed, 1 a check failed, 2 unknown, 3 the harness failed. */
export const EXIT = { pass: 0, fail: 1, unknown: 2, harness: 3 } as const;

/**
 * The exit code of one run: the harness's own failure first; then, for a sabotage scenario, its
 * expectation (0 when the known bug was caught); else the verdicts merged (fail > unknown > pass).
 */
export function exitCodeOf(run: {
  harnessFailed: boolean;
  verdicts: readonly Verdict[];
  expectation?: ExpectationVerdict | undefined;
}): 0 | 1 | 2 | 3 {
  if (run.harnessFailed) return EXIT.harness;
  return EXIT[run.expectation ? run.expectation.outcome : overallOutcome(run.verdicts)];
}
