import type { CheckSpec, CheckWindow } from '../history/history.js';

export type VerdictOutcome = 'pass' | 'fail' | 'unknown';

/** Something in the history that shows why a check came out as it did. */
export interface Evidence {
  /** When, in ms since the run started, if it is about a moment. */
  t?: number;
  message: string;
}

/** A checker's judgement of one check over one history. */
export interface Verdict {
  check: string;
  type: CheckSpec['type'];
  window: CheckWindow;
  /** The window as resolved on this history: [startT, endT] in ms, when it could be. */
  span?: [number, number];
  /** The thresholds in words: "success ratio ≥ 99%, longest error burst ≤ 2 s". */
  threshold: string;
  /** The figure that was compared, in `unit` (null when it could not be measured). */
  measured: number | null;
  unit: string;
  outcome: VerdictOutcome;
  /** One sentence in plain words for people who do not run the tool. */
  summary: string;
  evidence: Evidence[];
}

/** Jepsen's merge: fail beats unknown beats pass. An empty list passes. */
export function mergeOutcomes(outcomes: VerdictOutcome[]): VerdictOutcome {
  if (outcomes.includes('fail')) return 'fail';
  if (outcomes.includes('unknown')) return 'unknown';
  return 'pass';
}

/** The outcome of a whole run's checks: `mergeOutcomes` over every verdict. */
export function overallOutcome(verdicts: readonly Verdict[]): VerdictOutcome {
  return mergeOutcomes(verdicts.map((v) => v.outcome));
}
