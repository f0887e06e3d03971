import type { NodeSample, WorkloadSample } from '../history/history.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { capitalize, formatDuration, formatT, listWords, plural } from './format-figures.js';
import { finalStretchStart, sampleTimeline, type TimelinePoint } from './sample-timeline.js';
import { selectWorkloads, workloadKey, workloadSelectWords } from './select-workloads.js';
import type { Evidence } from './verdict.js';
import { inSpan } from './window-span.js';

const shape = {
  description:
    'Did the cluster get back to what was asked for, and stay there? Every workload with its desired replicas ready and no more pods than desired, every node Ready.',
  thresholds: {
    withinMs: {
      kind: 'ms',
      required: true,
      description:
        "the longest time from the window's start to the start of the converged stretch that runs to its end",
    },
  },
  select: {
    namespace: "only this namespace's workloads (nodes are all judged)",
    workload: "only this Deployment's name",
  },
  windows: 'after-heal, which it is meant for (any window works: the clock starts at its start)',
  measures: "milliseconds from the window's start until the cluster converged for good",
} as const satisfies CheckSpecShape;

type ConvergenceOptions = ReadCheckSpec<typeof shape>;

type Entry = { t: number; key: string } & ({ workload: WorkloadSample } | { node: NodeSample });

/**
 * convergence: did the cluster get back to what was asked for, and stay there? Meant for the
 * `after-heal` window. (Thresholds and select: `shape`.)
 *
 * Converged means: every selected workload has ready = desired and pods = desired (no missing
 * replicas, no duplicates), and every node has Ready=True, each by its latest sample (series.
 * workloads, series.nodes). The cluster must be converged at the window's end, and the stretch of
 * convergence that runs to the end must begin within `withinMs` of the window's start.
 *
 * Measured: ms from the window's start to the start of the final converged stretch; null when
 * not converged at the end (fail). Unknown when the window has no workload or no node sample.
 */
export const convergenceCheck: Checker<ConvergenceOptions> = {
  type: 'convergence',
  shape,
  unit: 'ms',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ thresholds }) =>
    `desired state (replicas ready, no duplicates, nodes Ready) within ${formatDuration(thresholds.withinMs)}, held to the end`,
  check({ history, span, windowPhrase }, { thresholds, select }) {
    const workloads = selectWorkloads(history, select);
    const nodes = history.series.nodes;
    const missing = [
      ...(workloads.some((s) => inSpan(s.t, span)) ? [] : [`no samples of ${workloadSelectWords(select)}`]),
      ...(nodes.some((s) => inSpan(s.t, span)) ? [] : ['no node samples']),
    ];
    if (missing.length > 0) {
      return cannotJudge(
        `Convergence could not be judged ${windowPhrase}: the cluster's state was not sampled.`,
        `The window from ${formatT(span[0])} to ${formatT(span[1])} has ${listWords(missing)}.`,
      );
    }
    const entries: Entry[] = [
      ...workloads.map((s) => ({ t: s.t, key: `workload ${workloadKey(s)}`, workload: s })),
      ...nodes.map((s) => ({ t: s.t, key: `node ${s.node}`, node: s })),
    ];
    const points = sampleTimeline(entries, (e) => e.key, span);
    const stretch = finalStretchStart(points, (p) => offs(p).length === 0);
    const counts = `${plural(count(points, 'workload'), 'workload')} and ${plural(count(points, 'node'), 'node')}`;

    if (stretch === undefined) {
      const off = offs(points[points.length - 1]!);
      return {
        outcome: 'fail',
        measured: null,
        summary: `${capitalize(windowPhrase)}, the cluster had not converged when the window ended at ${formatT(span[1])}: ${listWords(off.map((e) => e.message))}.`,
        evidence: off.map((e) => ({ ...e, message: `At ${formatT(e.t!)} (its last sample), ${e.message}.` })),
      };
    }
    const measured = points[stretch]!.t - span[0];
    const pass = measured <= thresholds.withinMs;
    const evidence: Evidence[] =
      stretch > 0
        ? offs(points[stretch - 1]!).map((e) => ({ ...e, message: `At ${formatT(e.t!)}, ${e.message}.` }))
        : [];
    evidence.push({
      t: points[stretch]!.t,
      message: `Converged from ${formatT(points[stretch]!.t)} to the end of the window.`,
    });
    const summary = pass
      ? `${capitalize(windowPhrase)}, the ${counts} reached their desired state within ${formatDuration(measured)} and held it.`
      : `${capitalize(windowPhrase)}, the ${counts} reached their desired state only after ${formatDuration(measured)}, later than the ${formatDuration(thresholds.withinMs)} allowed.`;
    return { outcome: pass ? 'pass' : 'fail', measured, summary, evidence };
  },
};

/** What is off at a point: one message per workload or node not in its desired state. */
function offs(point: TimelinePoint<Entry>): Evidence[] {
  const off: Evidence[] = [];
  for (const entry of [...point.latest.values()].sort(
    (a, b) => rank(a) - rank(b) || (a.key < b.key ? -1 : 1),
  )) {
    if ('workload' in entry) {
      const s = entry.workload;
      const problems = [
        ...(s.ready !== s.desired ? [`${s.ready} of ${s.desired} replicas ready`] : []),
        ...(s.pods > s.desired
          ? [`${s.pods} pods for ${s.desired} desired (${s.pods - s.desired} too many)`]
          : []),
        ...(s.pods < s.desired ? [`${s.pods} pods for ${s.desired} desired`] : []),
      ];
      if (problems.length > 0)
        off.push({ t: s.t, message: `${workloadKey(s)} had ${problems.join(' and ')}` });
    } else if (entry.node.ready !== 'True') {
      off.push({ t: entry.t, message: `node ${entry.node.node} was not Ready (${entry.node.ready})` });
    }
  }
  return off;
}

function rank(entry: Entry): number {
  return 'workload' in entry ? 0 : 1;
}

function count(points: readonly TimelinePoint<Entry>[], kind: 'workload' | 'node'): number {
  return [...points[points.length - 1]!.latest.values()].filter((e) => kind in e).length;
}
