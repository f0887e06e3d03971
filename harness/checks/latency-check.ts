import type { LoadSecond } from '../history/history.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { formatDuration, formatT, listWords, plural } from './format-figures.js';
import { loadSelectWords, selectLoadSeconds, sent } from './select-load-seconds.js';
import type { Evidence } from './verdict.js';

const shape = {
  description:
    "Were requests fast enough? Each second's latency percentile against its limit; one slow second is enough to fail.",
  thresholds: {
    maxP50Ms: { kind: 'ms', required: false, description: 'the highest median (p50) any second may have' },
    maxP90Ms: { kind: 'ms', required: false, description: 'the highest p90 any second may have' },
    maxP99Ms: { kind: 'ms', required: false, description: 'the highest p99 any second may have' },
    maxMaxMs: { kind: 'ms', required: false, description: 'the slowest request allowed' },
  },
  select: {
    load: "a load's name (default: every load)",
    namespace: 'the namespace of the Service the load targets',
  },
  windows: 'any',
  measures:
    'milliseconds: the worst per-second figure of the limit closest to (or furthest past) its threshold',
  crossCheck: ({ thresholds }) =>
    Object.keys(thresholds).length > 0
      ? []
      : [
          {
            path: ['thresholds'],
            message: 'latency needs at least one of maxP50Ms, maxP90Ms, maxP99Ms, maxMaxMs',
          },
        ],
} as const satisfies CheckSpecShape;

type LatencyOptions = ReadCheckSpec<typeof shape>;

type Percentile = keyof LoadSecond['latencyMs'];

const LIMITS: readonly { key: keyof LatencyOptions['thresholds']; percentile: Percentile }[] = [
  { key: 'maxP50Ms', percentile: 'p50' },
  { key: 'maxP90Ms', percentile: 'p90' },
  { key: 'maxP99Ms', percentile: 'p99' },
  { key: 'maxMaxMs', percentile: 'max' },
];

/**
 * latency: were requests fast enough in the window?
 *
 * The history keeps latency percentiles per second, and percentiles of seconds cannot be merged
 * into the window's percentile. So each one is combined conservatively: the window's p99 is taken
 * as the worst (highest) per-second p99, and so on. That is never below the true figure; a single
 * slow second is enough to fail. Thresholds (at least one) and select: `shape`.
 *
 * Measured: the worst per-second figure of the threshold closest to (or furthest past) its limit,
 * in ms. Unknown when the window holds no load second that sent a request.
 */
export const latencyCheck: Checker<LatencyOptions> = {
  type: 'latency',
  shape,
  unit: 'ms',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ thresholds }) =>
    limits(thresholds)
      .map((l) => `${label(l.percentile)} ≤ ${formatDuration(l.max)}`)
      .join(', ') + ' in every second',
  check({ history, span, windowPhrase }, { thresholds, select }) {
    const seconds = selectLoadSeconds(history, span, select).filter((s) => sent(s) > 0);
    if (seconds.length === 0) {
      return cannotJudge(
        `Latency could not be judged ${windowPhrase}: there was no load to measure.`,
        `No load second that sent a request for ${loadSelectWords(select)} between ${formatT(span[0])} and ${formatT(span[1])}.`,
      );
    }
    const results = limits(thresholds).map(({ percentile, max }) => {
      const worst = seconds.reduce((a, b) => (b.latencyMs[percentile] > a.latencyMs[percentile] ? b : a));
      const value = worst.latencyMs[percentile];
      return { percentile, max, worst, value, stress: max === 0 ? (value > 0 ? Infinity : 0) : value / max };
    });
    const over = results.filter((r) => r.value > r.max);
    const closest = results.reduce((a, b) => (b.stress > a.stress ? b : a));
    const evidence: Evidence[] = results.map((r) => ({
      t: r.worst.t,
      message: `Worst per-second ${label(r.percentile)}: ${formatDuration(r.value)} at ${formatT(r.worst.t)} (load ${r.worst.load}), limit ${formatDuration(r.max)}${r.value > r.max ? ` — ${plural(seconds.filter((s) => s.latencyMs[r.percentile] > r.max).length, 'second')} over it` : ''}.`,
    }));
    const figures = listWords(
      results.map(
        (r) => `${label(r.percentile)} was ${formatDuration(r.value)} (limit ${formatDuration(r.max)})`,
      ),
    );
    const summary = `Over ${plural(seconds.length, 'second')} of load ${windowPhrase}, the worst per-second ${figures}.`;
    return { outcome: over.length > 0 ? 'fail' : 'pass', measured: closest.value, summary, evidence };
  },
};

function limits(thresholds: LatencyOptions['thresholds']): { percentile: Percentile; max: number }[] {
  return LIMITS.filter((l) => thresholds[l.key] !== undefined).map((l) => ({
    percentile: l.percentile,
    max: thresholds[l.key]!,
  }));
}

function label(percentile: Percentile): string {
  return percentile === 'max' ? 'slowest request' : percentile;
}
