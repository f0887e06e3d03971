/**
 * Load: an open-model load spec, two drivers that run it (the real k6, and a builtin one in
 * Node), and one shape for what they report — samples, a summary, 1 s buckets — that the
 * history stores and the checkers judge.
 */
export { BuiltinDriver, type BuiltinDriverOptions } from './builtin/index.js';
export {
  K6Driver,
  findK6,
  readK6Run,
  renderK6Script,
  requireK6,
  type K6DriverOptions,
  type K6Runtime,
} from './k6/index.js';
export { createLoadDriver, type CreateLoadDriverOptions } from './create-load-driver.js';
export { LoadAggregator, type LoadAggregatorOptions } from './load-aggregator.js';
export { benchBuiltinDriver, type BuiltinBenchOptions, type BuiltinBenchResult } from './load-bench.js';
export { urlTargets, type LoadDriver, type LoadRunOptions, type LoadTarget } from './load-driver.js';
export { LoadError, type LoadErrorCode } from './load-error.js';
export { progressLine, summaryTable } from './load-report.js';
export { LOAD_ERROR_KINDS, type LoadErrorKind, type LoadOutcome, type LoadSample } from './load-sample.js';
export {
  loadSpecSchema,
  parseLoadSpec,
  peakRate,
  plannedDurationMs,
  type ArrivalProfile,
  type HttpMethod,
  type LoadRequestSpec,
  type LoadSpec,
  type LoadSpecInput,
  type LoadTargetSpec,
} from './load-spec.js';
export type {
  LatencySummary,
  LoadBucket,
  LoadProgress,
  LoadResult,
  LoadSummary,
  LoadThreshold,
} from './load-summary.js';
export { resolveLoadBalancerTarget, resolveServiceTargets, type LoadWorker } from './service-targets.js';
