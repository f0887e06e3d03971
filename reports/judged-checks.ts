import type { History } from '../harness/history/history.js';
import type { Verdict } from '../harness/checks/verdict.js';
import { OUTCOME_ORDER } from './format.js';

/**
 * Every check of a run with its verdict, failures first, then unknowns, then passes; within each,
 * in the order the scenario declared them (verdicts for undeclared checks after those).
 *
 * A declared check without a verdict becomes an `unknown` one — a checker that crashed or never
 * ran must not read as a pass, nor vanish from the report (Jepsen: a crashing checker gives unknown).
 */
export function judgedChecks(history: History, verdicts: readonly Verdict[]): Verdict[] {
  const declared = history.metadata.checks;
  const byName = new Map(verdicts.map((v) => [v.check, v]));
  const missing: Verdict[] = declared
    .filter((c) => !byName.has(c.name))
    .map((c) => ({
      check: c.name,
      type: c.type,
      window: c.window,
      threshold: Object.entries(c.thresholds)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      measured: null,
      unit: '',
      outcome: 'unknown',
      summary: 'No verdict was recorded for this check: its checker did not run or did not finish.',
      evidence: [],
    }));
  const declaredIndex = new Map(declared.map((c, i) => [c.name, i]));
  const rank = (v: Verdict, i: number) => declaredIndex.get(v.check) ?? declared.length + i;
  return [...verdicts, ...missing]
    .map((v, i) => ({ v, order: rank(v, i) }))
    .sort((a, b) => OUTCOME_ORDER[a.v.outcome] - OUTCOME_ORDER[b.v.outcome] || a.order - b.order)
    .map(({ v }) => v);
}
