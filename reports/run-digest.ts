import type { History } from '../harness/history/history.js';
import { mergeOutcomes, type Verdict, type VerdictOutcome } from '../harness/checks/verdict.js';
import { judgeExpectation, type SabotageResult } from '../harness/checks/expected-outcome.js';
import { faultWindows } from './fault-windows.js';
import { judgedChecks } from './judged-checks.js';
import { recoveryFigures } from './recovery-figures.js';
import { runEndT } from './run-span.js';

/**
 * The few figures of one run that the index and the trends show: small enough to keep one per
 * earlier run, and computed from history + verdicts alone.
 */
export interface RunDigest {
  scenario: string;
  /** What the scenario checks, in its own words (a conformance behaviour's MUST sentence). */
  description: string | null;
  /** ISO 8601, as in the history; runs sort by it. */
  startedAt: string;
  durationMs: number;
  /** The checks' merged outcome; for a sabotage run, its judgement against `expect` (pass = caught). */
  outcome: VerdictOutcome;
  /** A sabotage run: the check it expected to fail, and whether the known bug was caught. */
  sabotage: { fails: string; result: SabotageResult } | null;
  aborted: { phase: string; reason: string } | null;
  checks: { total: number; passed: number; failed: number; unknown: number };
  failedChecks: string[];
  unknownChecks: string[];
  faults: number;
  /** Requests sent by all loads (ok + failed). */
  requests: number;
  /** ok / sent over the whole run; null without load. */
  successRatio: number | null;
  /** The longest time to detect over the run's faults; null when no fault caused a failed request. */
  worstDetectMs: number | null;
  /** The longest time to heal over the faults that recovered; null when none had a figure. */
  worstHealMs: number | null;
  /** Faults after whose heal requests never fully succeeded again. */
  unrecoveredFaults: number;
  /** Faults with no heal recorded. */
  unhealedFaults: number;
  /** Share of API probes that succeeded; null without probes. */
  apiAvailability: number | null;
}

/** Digest one run. */
export function digestRun(history: History, verdicts: readonly Verdict[]): RunDigest {
  const judged = judgedChecks(history, verdicts);
  const count = (o: VerdictOutcome) => judged.filter((v) => v.outcome === o).length;
  const endT = runEndT(history);
  const windows = faultWindows(history, endT);
  const figures = recoveryFigures(history.series.load, windows);
  const sent = history.series.load.reduce((n, s) => n + s.count, 0);
  const ok = history.series.load.reduce((n, s) => n + s.ok, 0);
  const probes = history.series.api;
  const maxOf = (xs: (number | null)[]) =>
    xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.max(m, x)), null);
  const expected = history.metadata.scenario.expect;
  const expectation = expected ? judgeExpectation(expected, judged) : undefined;
  return {
    scenario: history.metadata.scenario.name,
    description: history.metadata.scenario.description ?? null,
    startedAt: history.metadata.startedAt,
    durationMs: endT,
    outcome: expectation ? expectation.outcome : mergeOutcomes(judged.map((v) => v.outcome)),
    sabotage: expected && expectation ? { fails: expected.fails, result: expectation.result } : null,
    aborted: history.metadata.aborted ?? null,
    checks: { total: judged.length, passed: count('pass'), failed: count('fail'), unknown: count('unknown') },
    failedChecks: judged.filter((v) => v.outcome === 'fail').map((v) => v.check),
    unknownChecks: judged.filter((v) => v.outcome === 'unknown').map((v) => v.check),
    faults: windows.length,
    requests: sent,
    successRatio: sent > 0 ? ok / sent : null,
    worstDetectMs: maxOf(figures.map((f) => f.detectMs)),
    worstHealMs: maxOf(figures.map((f) => f.healMs)),
    unrecoveredFaults: figures.filter((f) => f.status === 'not-recovered').length,
    unhealedFaults: figures.filter((f) => f.status === 'not-healed').length,
    apiAvailability: probes.length ? probes.filter((p) => p.ok).length / probes.length : null,
  };
}
