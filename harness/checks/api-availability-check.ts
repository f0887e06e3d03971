import type { ApiProbeSample } from '../history/history.js';
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
import type { Evidence } from './verdict.js';
import { inSpan } from './window-span.js';

const shape = {
  description:
    'Did the API keep answering? The share of the API probes (an authenticated GET every 250 ms) that succeeded.',
  thresholds: {
    minSuccessRatio: {
      kind: 'ratio',
      required: true,
      description: 'the least share of API probes that must succeed',
    },
    maxErrorBurstMs: {
      kind: 'ms',
      required: false,
      description:
        'the longest run of failed probes, from the first failure to the next success: after a heal, "the API was back within …"',
    },
  },
  select: {},
  windows: 'any',
  measures: 'the share of API probes that succeeded, in %',
} as const satisfies CheckSpecShape;

type ApiAvailabilityOptions = ReadCheckSpec<typeof shape>;

/**
 * api-availability: did the API keep answering? (Thresholds: `shape`.)
 *
 * The share of API probes (series.api: a cheap authenticated GET at a fixed rate) in the window
 * that succeeded. `maxErrorBurstMs` says "the API was back within …" after a heal, which a ratio
 * over a window whose length depends on how soon the run converged cannot say.
 *
 * Measured: the success ratio as a percentage. Unknown when the window holds no probe.
 */
export const apiAvailabilityCheck: Checker<ApiAvailabilityOptions> = {
  type: 'api-availability',
  shape,
  unit: '%',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ thresholds }) =>
    [
      `API probe success ratio ≥ ${formatLimitPercent(thresholds.minSuccessRatio)}`,
      ...(thresholds.maxErrorBurstMs !== undefined
        ? [`longest run of failed probes ≤ ${formatDuration(thresholds.maxErrorBurstMs)}`]
        : []),
    ].join(', '),
  check({ history, span, windowPhrase }, { thresholds }) {
    const probes = history.series.api.filter((s) => inSpan(s.t, span)).sort((a, b) => a.t - b.t);
    if (probes.length === 0) {
      return cannotJudge(
        `API availability could not be judged ${windowPhrase}: the API was not probed.`,
        `No API probe samples between ${formatT(span[0])} and ${formatT(span[1])}.`,
      );
    }
    const ok = probes.filter((p) => p.ok).length;
    const ratio = ok / probes.length;
    const outage = longestOutage(probes);
    const ratioOk = ratio >= thresholds.minSuccessRatio;
    const burstOk =
      thresholds.maxErrorBurstMs === undefined || (outage?.ms ?? 0) <= thresholds.maxErrorBurstMs;
    const pass = ratioOk && burstOk;
    const shown = formatPercent(ratio, [thresholds.minSuccessRatio]);
    const outageWords = outage
      ? `; the longest run of failed probes lasted ${formatDuration(outage.ms)} from ${formatT(outage.startT)}`
      : '';
    const evidence: Evidence[] = [];
    if (outage) {
      evidence.push({
        t: outage.startT,
        message: `${plural(outage.count, 'probe')} in a row failed from ${formatT(outage.startT)} to ${formatT(outage.startT + outage.ms)}${burstOk ? '' : `, longer than the ${formatDuration(thresholds.maxErrorBurstMs!)} allowed`}.`,
      });
    }
    evidence.push(...cappedEvidence(failureKinds(probes), 5, 'more kinds of failure'));
    return {
      outcome: pass ? 'pass' : 'fail',
      measured: ratio * 100,
      summary: `${shown} of ${plural(probes.length, 'API probe')} succeeded ${windowPhrase}${ratioOk ? '' : `, below the ${formatLimitPercent(thresholds.minSuccessRatio)} required`}${outageWords}.`,
      evidence,
    };
  },
};

/** The longest run of consecutive failed probes: from the first failure to the next success (or last failure); by duration, then by count. */
function longestOutage(
  probes: readonly ApiProbeSample[],
): { startT: number; ms: number; count: number } | undefined {
  let best: { startT: number; ms: number; count: number } | undefined;
  let start: number | undefined;
  for (let i = 0; i < probes.length; i++) {
    const p = probes[i]!;
    if (p.ok) {
      start = undefined;
      continue;
    }
    start ??= i;
    const endT = probes[i + 1]?.t ?? p.t;
    const run = { startT: probes[start]!.t, ms: endT - probes[start]!.t, count: i - start + 1 };
    if (!best || run.ms > best.ms || (run.ms === best.ms && run.count > best.count)) best = run;
  }
  return best;
}

/** Failed probes grouped by what went wrong (status or error), most frequent first. */
function failureKinds(probes: readonly ApiProbeSample[]): Evidence[] {
  const kinds = new Map<string, { count: number; firstT: number }>();
  for (const p of probes) {
    if (p.ok) continue;
    const kind = p.status !== undefined ? `status ${p.status}` : (p.error ?? 'no answer');
    const entry = kinds.get(kind) ?? { count: 0, firstT: p.t };
    entry.count++;
    kinds.set(kind, entry);
  }
  return [...kinds]
    .sort(([, a], [, b]) => b.count - a.count || a.firstT - b.firstT)
    .map(([kind, { count, firstT }]) => ({
      t: firstT,
      message: `${formatCount(count)} failed with ${kind}, first at ${formatT(firstT)}.`,
    }));
}
