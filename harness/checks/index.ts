/**
 * Checkers: pure functions from a run's history to verdicts (pass, fail or unknown, with the
 * measured figure and the evidence). No I/O, no clock: `crucible check history.json` re-judges a
 * stored run and gets the same verdicts.
 */
export { judge } from './judge.js';
export { mergeOutcomes, overallOutcome } from './verdict.js';
export type { Evidence, Verdict, VerdictOutcome } from './verdict.js';
export { CheckError, type CheckErrorCode } from './check-error.js';
export { CHECK_SHAPES, checkerCatalogue } from './checker-catalogue.js';
export {
  checkSpecProblems,
  thresholdKindWords,
  type CheckSpecProblem,
  type CheckSpecShape,
  type ThresholdKind,
  type ThresholdRule,
} from './check-spec-reader.js';
export type { Checker, CheckContext, Judgement } from './checker.js';
export { WINDOW_FORMS, windowSpan, type Span, type WindowSpan } from './window-span.js';
export {
  judgeExpectation,
  sabotageScore,
  type ExpectationVerdict,
  type SabotageResult,
  type SabotageScore,
} from './expected-outcome.js';
