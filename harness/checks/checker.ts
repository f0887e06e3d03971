import type { CheckSpec, CheckWindow, History } from '../history/history.js';
import type { CheckSpecShape } from './check-spec-reader.js';
import type { Span } from './window-span.js';
import type { Evidence, VerdictOutcome } from './verdict.js';

/** What a checker is given to judge one check. */
export interface CheckContext {
  readonly history: History;
  readonly window: CheckWindow;
  /** The window resolved on this history. */
  readonly span: Span;
  /** The window in words that fit a summary: "while worker-2 was lost". */
  readonly windowPhrase: string;
}

/** A checker's answer, before `judge` adds the check's name, window and threshold. */
export interface Judgement {
  outcome: VerdictOutcome;
  /** In the checker's `unit`; null when nothing could be measured. */
  measured: number | null;
  /** One sentence in plain words. */
  summary: string;
  evidence: Evidence[];
}

/**
 * One type of check. Pure: the same history and spec give the same judgement. Any method may
 * throw (a CheckError for a bad spec or a window it cannot use); `judge` turns that into an
 * `unknown` verdict.
 */
export interface Checker<Options> {
  readonly type: CheckSpec['type'];
  /** The thresholds, select keys and windows it takes, declared once (see CheckSpecShape). */
  readonly shape: CheckSpecShape;
  /** The unit of `measured`, as it reads after the figure: "container restarts", "acknowledged writes lost". */
  readonly unit: string;
  /** Validates and reads the spec's thresholds and select (every problem in one CheckError). */
  options(spec: CheckSpec): Options;
  /** The thresholds in words: "success ratio ≥ 99%, longest error burst ≤ 2 s". */
  threshold(options: Options): string;
  check(context: CheckContext, options: Options): Judgement;
}

/** An `unknown` judgement for a window without the data a check needs; `why` says what is missing. */
export function cannotJudge(summary: string, why: string, t?: number): Judgement {
  return {
    outcome: 'unknown',
    measured: null,
    summary,
    evidence: [t === undefined ? { message: why } : { t, message: why }],
  };
}
