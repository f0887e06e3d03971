import type { WorkloadSample } from '../history/history.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { faultInjects, faultInjectsIn, faultWords } from './fault-events.js';
import { formatDuration, formatT, listWords } from './format-figures.js';
import { runningReplicasAt } from './running-replicas.js';
import { finalStretchStart, sampleTimeline } from './sample-timeline.js';
import { selectWorkloads, workloadKey, workloadSelectWords } from './select-workloads.js';
import type { Evidence } from './verdict.js';
import { inSpan, type Span } from './window-span.js';

const shape = {
  description:
    'Once a fault hit, how long until every workload had its desired replicas ready again, with nothing healed by hand? Replicas count only when the kubelets really run them.',
  thresholds: {
    maxMs: {
      kind: 'ms',
      required: true,
      description: "the longest time allowed from the fault's injection until every workload is ready again",
    },
  },
  select: {
    namespace: "only this namespace's workloads (default: every workload)",
    workload: "only this Deployment's name",
  },
  windows:
    '{during: <fault id>} (the clock starts at that fault), or any window with a fault in it (the clock starts at its first fault)',
  measures:
    'milliseconds from the injection until every workload was ready again (0 when none lost a ready replica)',
  needsFault: true,
} as const satisfies CheckSpecShape;

type SelfHealOptions = ReadCheckSpec<typeof shape>;

/**
 * self-heal: once a fault hit, how long until every workload had its desired replicas ready
 * again, with nothing healed by hand?
 *
 * The clock starts at the fault's injection: the window's fault for `{during: id}`, otherwise the
 * first fault injected in the window. It stops at the start of the last stretch, running to the
 * window's end, in which every selected workload (series.workloads, latest sample of each) has
 * ready ≥ desired; ready above desired (a surge) counts as healed, duplicates are convergence's
 * business. Workloads that stayed ready throughout measure 0.
 *
 * Thresholds and select: `shape`.
 *
 * Measured: ms from injection to healed; null when not healed by the window's end (fail). Unknown
 * when the window has no fault injection or no workload sample.
 */
export const selfHealCheck: Checker<SelfHealOptions> = {
  type: 'self-heal',
  shape,
  unit: 'ms',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ thresholds }) =>
    `every workload ready again within ${formatDuration(thresholds.maxMs)} of the fault`,
  check({ history, window, span, windowPhrase }, { thresholds, select }) {
    const inject =
      typeof window === 'object'
        ? faultInjects(history).find((e) => e.fault.id === window.during)
        : faultInjectsIn(history, span)[0];
    if (!inject) {
      return cannotJudge(
        `Self-heal could not be judged ${windowPhrase}: no fault was injected in it.`,
        `No fault-inject event between ${formatT(span[0])} and ${formatT(span[1])}.`,
      );
    }
    const from = inject.t;
    const healSpan: Span = [from, span[1]];
    const what = `${faultWords(inject.fault)} at ${formatT(from)}`;
    const samples = selectWorkloads(history, select);
    const points = sampleTimeline(samples, workloadKey, healSpan);
    if (points.length === 0) {
      return cannotJudge(
        `Self-heal could not be judged ${windowPhrase}: no workload was sampled after the fault.`,
        `No samples of ${workloadSelectWords(select)} between ${formatT(from)} and ${formatT(span[1])}.`,
      );
    }
    // Ready as the API says, unless the kubelets ran fewer (a stale API: see runningReplicasAt).
    const readyAt = (s: WorkloadSample, t: number) =>
      Math.min(s.ready, runningReplicasAt(history, s.namespace, s.name, t) ?? s.ready);
    const healed = (p: { t: number; latest: ReadonlyMap<string, WorkloadSample> }) =>
      [...p.latest.values()].every((s) => readyAt(s, p.t) >= s.desired);
    const stretch = finalStretchStart(points, healed);
    const episodes = shortfalls(samples.filter((s) => inSpan(s.t, healSpan)));

    if (stretch === undefined) {
      const last = points[points.length - 1]!;
      const short = [...last.latest.values()].filter((s) => readyAt(s, last.t) < s.desired);
      return {
        outcome: 'fail',
        measured: null,
        summary: `After ${what}, ${listWords(short.map(workloadKey))} ${short.length > 1 ? 'were' : 'was'} still short of ready replicas when the window ended at ${formatT(span[1])}.`,
        evidence: [
          ...short.map((s) => {
            const running = runningReplicasAt(history, s.namespace, s.name, last.t);
            const stale = running !== undefined && running < s.ready;
            return {
              t: s.t,
              message: stale
                ? `At ${formatT(s.t)} (its last sample), the API showed ${workloadKey(s)} with ${s.ready} of ${s.desired} replicas ready, but its nodes' kubelets ran only ${running}: the API's view was stale.`
                : `At ${formatT(s.t)} (its last sample), ${workloadKey(s)} had ${s.ready} of ${s.desired} replicas ready.`,
            };
          }),
          ...episodes,
        ],
      };
    }
    const measured = stretch === 0 ? 0 : points[stretch]!.t - from;
    const pass = measured <= thresholds.maxMs;
    const summary =
      measured === 0
        ? `Every workload stayed ready after ${what}.`
        : `Every workload was ready again ${formatDuration(measured)} after ${what}${pass ? '' : `, later than the ${formatDuration(thresholds.maxMs)} allowed`}.`;
    return { outcome: pass ? 'pass' : 'fail', measured, summary, evidence: episodes };
  },
};

/** For each workload that lost ready replicas: how low it went and when it was ready again. */
function shortfalls(samples: readonly WorkloadSample[]): Evidence[] {
  const byWorkload = new Map<string, WorkloadSample[]>();
  for (const s of samples) {
    const list = byWorkload.get(workloadKey(s));
    if (list) list.push(s);
    else byWorkload.set(workloadKey(s), [s]);
  }
  const evidence: Evidence[] = [];
  for (const [key, list] of [...byWorkload].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const short = list.filter((s) => s.ready < s.desired);
    if (short.length === 0) continue;
    const lowest = short.reduce((a, b) => (b.ready - b.desired < a.ready - a.desired ? b : a));
    const lastShort = short[short.length - 1]!;
    const back = list.find((s) => s.t > lastShort.t && s.ready >= s.desired);
    evidence.push({
      t: lowest.t,
      message: `${key} fell to ${lowest.ready} of ${lowest.desired} ready replicas at ${formatT(lowest.t)}${back ? ` and was ready again at ${formatT(back.t)}` : ' and was not ready again in the window'}.`,
    });
  }
  return evidence;
}
