import { LOAD_ERROR_KINDS, type LoadErrorKind } from './load-sample.js';
import type { LoadProgress, LoadResult } from './load-summary.js';

/** One line of progress, for a terminal once a second. */
export function progressLine(p: LoadProgress): string {
  return [
    `${p.elapsedSeconds.toFixed(0).padStart(4)} s`,
    `sent ${p.count} (${p.lastSecondRate}/s)`,
    `ok ${p.ok}`,
    `failed ${p.failed}${failureBreakdown(p.failuresByKind)}`,
    `dropped ${p.dropped}`,
    `p99 ${ms(p.p99Ms)}`,
  ].join('  ');
}

/** The summary of a run as a small table: counts, rate, failures by kind, latency percentiles. */
export function summaryTable(result: LoadResult): string[] {
  const s = result.summary;
  const row = (label: string, value: string) => `${label.padEnd(12)}${value}`;
  const statuses = Object.entries(s.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status === '0' ? 'none' : status} ×${n}`)
    .join(', ');
  const l = s.latencyMs;
  return [
    row('driver', s.driver),
    row('duration', `${s.durationSeconds.toFixed(1)} s`),
    row('requests', `${s.count} sent, ${s.rate.toFixed(1)}/s`),
    row('ok', String(s.ok)),
    row('failed', `${s.failed}${failureBreakdown(s.failuresByKind)}`),
    row('dropped', String(s.dropped)),
    ...(statuses ? [row('status', statuses)] : []),
    row(
      'latency',
      `p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (mean ${ms(l.mean)}, from intended start)`,
    ),
    ...result.thresholds.map((t) =>
      row('threshold', `${t.metric} ${t.expression}: ${t.crossed ? 'CROSSED' : 'held'}`),
    ),
    ...result.warnings.map((w) => row('warning', w)),
  ];
}

function failureBreakdown(kinds: Record<LoadErrorKind, number>): string {
  const parts = LOAD_ERROR_KINDS.filter((k) => kinds[k] > 0).map((k) => `${k} ${kinds[k]}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function ms(value: number): string {
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ms`;
}
