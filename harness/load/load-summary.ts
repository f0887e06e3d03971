import type { LoadErrorKind } from './load-sample.js';

/** Latency of sent requests in milliseconds, measured from each request's intended start. */
export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * What a load run did, the same for both drivers. Plain JSON data: the history and the report
 * store it as it is.
 */
export interface LoadSummary {
  driver: 'builtin' | 'k6';
  /** From the first intended start to the last answer, in seconds. */
  durationSeconds: number;
  /** Requests sent (ok + failed); dropped ones were never sent. */
  count: number;
  /** Requests sent per second over the run. */
  rate: number;
  ok: number;
  failed: number;
  dropped: number;
  /** Failed requests by why; every kind is present, most at 0. */
  failuresByKind: Record<LoadErrorKind, number>;
  /** Sent requests by HTTP status ("0": no answer). */
  byStatus: Record<string, number>;
  /**
   * Over every sent request, failed ones included (a refused connection is quick, a timeout is
   * slow), as k6's http_req_duration is. Percentiles are exact to 3 significant digits (HDR).
   */
  latencyMs: LatencySummary;
}

/** One second of a run: the requests whose intended start fell in it. */
export interface LoadBucket {
  /** Whole seconds since the run's start. */
  second: number;
  /** The bucket's start, in milliseconds since the Unix epoch. */
  startMs: number;
  /** Sent requests (ok + failed). */
  count: number;
  ok: number;
  failed: number;
  dropped: number;
  failuresByKind: Record<LoadErrorKind, number>;
  /** Failed requests whose answer named the pod that gave it (the echo workload's do), by pod. */
  failedByPod: Record<string, number>;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** A k6 threshold and whether the run crossed it. */
export interface LoadThreshold {
  metric: string;
  expression: string;
  crossed: boolean;
}

export interface LoadResult {
  summary: LoadSummary;
  buckets: LoadBucket[];
  /** The k6 script's thresholds; none for the builtin driver (crucible's checkers judge). */
  thresholds: LoadThreshold[];
  /** What the driver noticed but did not fail on, e.g. k6's counts disagreeing with its samples. */
  warnings: string[];
}

/** A snapshot while the load runs, for a progress line. */
export interface LoadProgress {
  elapsedSeconds: number;
  count: number;
  ok: number;
  failed: number;
  dropped: number;
  /** Answers (or failures) that arrived in the last second. */
  lastSecondRate: number;
  failuresByKind: Record<LoadErrorKind, number>;
  /** Over every sample so far. */
  p99Ms: number;
}
