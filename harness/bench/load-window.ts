import type { LoadErrorKind, LoadSample } from '../load/index.js';

/** What the load did in one stretch of a run. */
export interface LoadWindowTally {
  /** Requests sent (ok + failed); dropped ones were never sent. */
  sent: number;
  ok: number;
  failed: number;
  /** Scheduled but not sent: the driver, not the target, fell short. */
  dropped: number;
  /** Failed requests by why; only the kinds that occurred. */
  failuresByKind: Partial<Record<LoadErrorKind, number>>;
}

/**
 * Tallies the samples whose intended start falls in [fromMs, toMs): a request belongs to the
 * stretch it was due in, however long it then took (as the load's own 1 s buckets count).
 */
export function tallyLoadWindow(
  samples: Iterable<Pick<LoadSample, 'intendedStartMs' | 'outcome' | 'error'>>,
  fromMs: number,
  toMs: number,
): LoadWindowTally {
  const tally: LoadWindowTally = { sent: 0, ok: 0, failed: 0, dropped: 0, failuresByKind: {} };
  for (const s of samples) {
    if (s.intendedStartMs < fromMs || s.intendedStartMs >= toMs) continue;
    if (s.outcome === 'dropped') {
      tally.dropped++;
      continue;
    }
    tally.sent++;
    if (s.outcome === 'ok') {
      tally.ok++;
      continue;
    }
    tally.failed++;
    const kind = s.error ?? 'other';
    tally.failuresByKind[kind] = (tally.failuresByKind[kind] ?? 0) + 1;
  }
  return tally;
}
