import { z } from 'zod';
import { LoadError } from '../load-error.js';
import type { LoadThreshold } from '../load-summary.js';

/** What crucible reads of k6's `--summary-export` file. */
export interface K6SummaryExport {
  /** http_reqs: requests made, and k6's own rate over the test's run time. */
  requests: number;
  rate: number;
  /**
   * From http_req_failed, a Rate metric, whose `passes` counts the values that were true — the
   * failed requests — and `fails` the good ones: inverted from what the names suggest.
   */
  failed: number;
  ok: number;
  failedRate: number;
  /** dropped_iterations (absent when nothing was dropped). */
  dropped: number;
  /** http_req_duration's statistics, in milliseconds; p99 only when the script asked for it. */
  durationMs: { avg: number; min: number; med: number; max: number; p90: number; p95: number; p99?: number };
  thresholds: LoadThreshold[];
}

const stats = z.record(z.string(), z.union([z.number(), z.record(z.string(), z.boolean())]));
const exportSchema = z.object({ metrics: z.record(z.string(), stats) });

/**
 * Reads a summary export. A threshold's value there is whether it was crossed: `false` means it
 * held. Throws LoadError K6OutputInvalid for a file that is not a summary export.
 */
export function parseK6SummaryExport(text: string, file = 'summary export'): K6SummaryExport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LoadError('K6OutputInvalid', `${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = exportSchema.safeParse(json);
  if (!parsed.success)
    throw new LoadError(
      'K6OutputInvalid',
      `${file} is not a k6 summary export: ${parsed.error.issues[0]?.message}`,
    );
  const metrics = parsed.data.metrics;
  const num = (metric: string, field: string): number => {
    const v = metrics[metric]?.[field];
    return typeof v === 'number' ? v : 0;
  };
  const p99 = metrics.http_req_duration?.['p(99)'];
  const thresholds: LoadThreshold[] = [];
  for (const [metric, fields] of Object.entries(metrics)) {
    const t = fields.thresholds;
    if (t && typeof t === 'object')
      for (const [expression, crossed] of Object.entries(t)) thresholds.push({ metric, expression, crossed });
  }
  thresholds.sort((a, b) => a.metric.localeCompare(b.metric) || a.expression.localeCompare(b.expression));
  return {
    requests: num('http_reqs', 'count'),
    rate: num('http_reqs', 'rate'),
    failed: num('http_req_failed', 'passes'),
    ok: num('http_req_failed', 'fails'),
    failedRate: num('http_req_failed', 'value'),
    dropped: num('dropped_iterations', 'count'),
    durationMs: {
      avg: num('http_req_duration', 'avg'),
      min: num('http_req_duration', 'min'),
      med: num('http_req_duration', 'med'),
      max: num('http_req_duration', 'max'),
      p90: num('http_req_duration', 'p(90)'),
      p95: num('http_req_duration', 'p(95)'),
      ...(typeof p99 === 'number' ? { p99 } : {}),
    },
    thresholds,
  };
}
