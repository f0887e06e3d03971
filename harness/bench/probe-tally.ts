import { percentile } from './percentile.js';

/** One request of a steady probe: when it started (ms, any clock), how long it took, and how it ended. */
export interface Probe {
  startedAt: number;
  ms: number;
  ok: boolean;
  error?: string;
}

/** How a stretch of probes went. */
export interface ProbeTally {
  requests: number;
  failed: number;
  /** ok / requests; 1 when there were none. */
  availability: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The first few failures, in the order they came. */
  failures: string[];
  /** When the first and the last failed probe started, in ms from the window's start (a finite window only). */
  failedFromMs?: number;
  failedUntilMs?: number;
}

/** How many failures a tally quotes: enough to tell one kind from several, short enough for a table. */
const QUOTED_FAILURES = 5;

/** The probes that started in [from, to), tallied; a probe counts where it started, however long it took. */
export function tally(probes: readonly Probe[], from: number, to: number): ProbeTally {
  const inside = probes.filter((p) => p.startedAt >= from && p.startedAt < to);
  const sorted = inside.map((p) => p.ms).sort((a, b) => a - b);
  const failed = inside.filter((p) => !p.ok).sort((a, b) => a.startedAt - b.startedAt);
  return {
    requests: inside.length,
    failed: failed.length,
    availability: inside.length ? (inside.length - failed.length) / inside.length : 1,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? 0,
    failures: failed.slice(0, QUOTED_FAILURES).map((p) => p.error ?? 'failed'),
    ...(failed.length && Number.isFinite(from)
      ? {
          failedFromMs: Math.round(failed[0]!.startedAt - from),
          failedUntilMs: Math.round(failed[failed.length - 1]!.startedAt - from),
        }
      : {}),
  };
}
