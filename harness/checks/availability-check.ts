import type { LoadSecond } from '../history/history.js';
import { cappedEvidence } from './capped-evidence.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import {
  formatCount,
  formatDuration,
  formatLimitPercent,
  formatPercent,
  formatT,
  plural,
} from './format-figures.js';
import { loadSelectWords, selectLoadSeconds, sent } from './select-load-seconds.js';
import type { Evidence } from './verdict.js';

const shape = {
  description: 'Did the load keep succeeding? The share of the requests sent that succeeded.',
  thresholds: {
    minSuccessRatio: {
      kind: 'ratio',
      required: true,
      description:
        'the least share of requests that must succeed: ok / sent, where a request the load driver dropped was never sent and does not count',
    },
    maxErrorBurstMs: {
      kind: 'ms',
      required: false,
      description: 'the longest run of consecutive seconds that each had a failed request',
    },
  },
  select: {
    load: "a load's name (default: every load)",
    namespace: 'the namespace of the Service the load targets',
  },
  windows: 'any',
  measures: 'the share of requests that succeeded, in %',
} as const satisfies CheckSpecShape;

type AvailabilityOptions = ReadCheckSpec<typeof shape>;

/** How many of the worst seconds the evidence lists. */
const WORST_SECONDS = 5;

/**
 * availability: did the load keep succeeding in the window? (Thresholds and select: `shape`.)
 *
 * The ratio is ok / sent over the window's load seconds, where sent = ok + failed (count −
 * dropped: a dropped request was never sent and says nothing about the target). An error burst is
 * a run of consecutive seconds each with a failed request, as (seconds × 1000). Several loads'
 * seconds at the same `t` are added up.
 *
 * Measured: the success ratio as a percentage. Unknown when the window holds no load second that
 * sent a request.
 */
export const availabilityCheck: Checker<AvailabilityOptions> = {
  type: 'availability',
  shape,
  unit: '%',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ thresholds }) =>
    [
      `success ratio ≥ ${formatLimitPercent(thresholds.minSuccessRatio)}`,
      ...(thresholds.maxErrorBurstMs !== undefined
        ? [`longest error burst ≤ ${formatDuration(thresholds.maxErrorBurstMs)}`]
        : []),
    ].join(', '),
  check({ history, span, windowPhrase }, { thresholds, select }) {
    const seconds = selectLoadSeconds(history, span, select);
    const requests = seconds.reduce((n, s) => n + sent(s), 0);
    if (requests === 0) {
      const why =
        seconds.length === 0
          ? `No load samples for ${loadSelectWords(select)} between ${formatT(span[0])} and ${formatT(span[1])}.`
          : `The ${plural(seconds.length, 'load second')} for ${loadSelectWords(select)} in the window sent no request (every one was dropped or none was scheduled).`;
      return cannotJudge(
        `Availability could not be judged ${windowPhrase}: there was no load to measure.`,
        why,
      );
    }
    const ok = seconds.reduce((n, s) => n + s.ok, 0);
    const dropped = seconds.reduce((n, s) => n + s.dropped, 0);
    const ratio = ok / requests;
    const burst = longestErrorBurst(seconds);
    const ratioOk = ratio >= thresholds.minSuccessRatio;
    const burstOk = thresholds.maxErrorBurstMs === undefined || burst.ms <= thresholds.maxErrorBurstMs;

    const droppedWords =
      dropped > 0
        ? ` (${plural(dropped, 'more was', 'more were')} dropped by the load driver and not counted)`
        : '';
    const burstWords =
      burst.ms === 0 ? 'no request failed' : `the longest run of errors lasted ${formatDuration(burst.ms)}`;
    const summary = `${formatPercent(ratio, [thresholds.minSuccessRatio])} of ${plural(requests, 'request')} succeeded ${windowPhrase}${droppedWords}; ${burstWords}.`;

    const evidence: Evidence[] = [];
    if (!ratioOk) {
      evidence.push({
        message: `${formatCount(requests - ok)} of ${plural(requests, 'request')} failed: success ratio ${formatPercent(ratio, [thresholds.minSuccessRatio])}, below ${formatLimitPercent(thresholds.minSuccessRatio)}.`,
      });
    }
    const byPod = failedAnswersByPod(seconds);
    if (!ratioOk && byPod.length > 0)
      evidence.push({
        message: `Failed requests answered by a pod that named itself: ${byPod.map(([pod, n]) => `${formatCount(n)} by ${pod}`).join(', ')}.`,
      });
    if (burst.ms > 0) {
      const over = burstOk ? '' : `, longer than the ${formatDuration(thresholds.maxErrorBurstMs!)} allowed`;
      evidence.push({
        t: burst.startT,
        message: `The longest error burst ran from ${formatT(burst.startT)} to ${formatT(burst.startT + burst.ms)} (${formatDuration(burst.ms)})${over}.`,
      });
    }
    evidence.push(...worstSeconds(seconds));
    return { outcome: ratioOk && burstOk ? 'pass' : 'fail', measured: ratio * 100, summary, evidence };
  },
};

/** Failed requests per answering pod (namespace/name when the load's namespace is known), most first; at most five. */
function failedAnswersByPod(seconds: readonly LoadSecond[]): [string, number][] {
  const byPod = new Map<string, number>();
  for (const s of seconds)
    for (const [pod, n] of Object.entries(s.failedByPod ?? {})) {
      const name = s.namespace === undefined ? pod : `${s.namespace}/${pod}`;
      byPod.set(name, (byPod.get(name) ?? 0) + n);
    }
  return [...byPod].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
}

/** The longest run of consecutive seconds (summed over loads) that each had a failed request. */
function longestErrorBurst(seconds: readonly LoadSecond[]): { startT: number; ms: number } {
  const failedAt = new Map<number, number>();
  for (const s of seconds) failedAt.set(s.t, (failedAt.get(s.t) ?? 0) + s.failed);
  const times = [...failedAt.keys()].sort((a, b) => a - b);
  let best = { startT: 0, ms: 0 };
  let runStart: number | undefined;
  let previous: number | undefined;
  for (const t of times) {
    if (failedAt.get(t)! === 0) {
      runStart = undefined;
    } else {
      // A gap in the samples (no second recorded) ends a run: nothing says errors went on.
      if (runStart === undefined || previous === undefined || t - previous > 1000) runStart = t;
      const ms = t + 1000 - runStart;
      if (ms > best.ms) best = { startT: runStart, ms };
    }
    previous = t;
  }
  return best;
}

/** The seconds with the most failures, each with its failures by kind. */
function worstSeconds(seconds: readonly LoadSecond[]): Evidence[] {
  const failing = seconds.filter((s) => s.failed > 0).sort((a, b) => b.failed - a.failed || a.t - b.t);
  const listed = failing.map((s) => ({
    t: s.t,
    message: `At ${formatT(s.t)}, ${formatCount(s.failed)} of ${plural(sent(s), 'request')} to load ${s.load} failed${kinds(s.failures)}.`,
  }));
  return cappedEvidence(listed, WORST_SECONDS, 'more seconds with failures');
}

function kinds(failures: Record<string, number>): string {
  const parts = Object.entries(failures)
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, n]) => `${kind} ${formatCount(n)}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
