import type { LoadBucket } from '../load/index.js';
import type { LoadSecond } from '../history/history.js';

/**
 * A load driver's 1 s buckets as the history's load seconds: `t` from the run's start, failures
 * by kind as the driver counted them, latency percentiles of the sent requests.
 *
 * `count` here is every request the second was meant to send, dropped ones included
 * (ok + failed + dropped), whereas a bucket's `count` holds only the sent ones (ok + failed).
 * Checkers judge on ok and failed, so the difference only shows in the report.
 */
export function toLoadSeconds(
  load: string,
  namespace: string | undefined,
  buckets: readonly LoadBucket[],
  runStartedAt: number,
): LoadSecond[] {
  return buckets.map((b) => ({
    t: b.startMs - runStartedAt,
    load,
    ...(namespace === undefined ? {} : { namespace }),
    count: b.count + b.dropped,
    ok: b.ok,
    failed: b.failed,
    dropped: b.dropped,
    failures: { ...b.failuresByKind },
    ...(Object.keys(b.failedByPod).length > 0 ? { failedByPod: { ...b.failedByPod } } : {}),
    latencyMs: { p50: b.p50Ms, p90: b.p90Ms, p99: b.p99Ms, max: b.maxMs },
  }));
}
