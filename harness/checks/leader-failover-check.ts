import type { HistoryEvent } from '../history/history.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { faultInjectsIn, faultWords } from './fault-events.js';
import { capitalize, formatDuration, formatT, listWords } from './format-figures.js';
import { mergeOutcomes, type Evidence, type VerdictOutcome } from './verdict.js';

const shape = {
  description:
    'When a fault hit a leader (of the scheduler, the controller-manager, …), how long until another instance led? A fault that hit no leader needs no failover and passes.',
  thresholds: {
    maxMs: {
      kind: 'ms',
      required: true,
      description: 'the longest time allowed from the fault to the next leader',
    },
  },
  select: {
    component:
      'scheduler, controller-manager or cloud-controller-manager (default: every leader-elected component)',
  },
  windows: 'one with a fault in it: {during: <fault id>} or whole-run',
  measures: 'milliseconds from the fault to the new leader, the longest gap when there are several',
  needsFault: true,
} as const satisfies CheckSpecShape;

type LeaderFailoverOptions = ReadCheckSpec<typeof shape>;

type LeaderEvent = Extract<HistoryEvent, { type: 'leader' }>;

/**
 * leader-failover: when a fault hit a leader, how long until another instance led?
 *
 * For each fault injected in the window and each leader-elected component (from `leader`
 * events), the holder at the injection is the latest `leader` event at or before it. The fault
 * hit the leader when its targets include the holder's node: the holder itself (`scheduler-0`) or,
 * for a Kubernetes-style identity `scheduler-0_<uuid>`, the part before the first `_`. The gap
 * is from the injection to the next `leader` event with a different holder, which must come
 * within the window. A fault that hit no leader needs no failover and passes.
 *
 * Thresholds and select: `shape`.
 *
 * Measured: the longest gap, in ms; null when no fault hit a leader or no new leader came.
 * Unknown when the window has no fault, no leader was recorded, or the holder at a fault's time
 * is not known (and nothing failed).
 */
export const leaderFailoverCheck: Checker<LeaderFailoverOptions> = {
  type: 'leader-failover',
  shape,
  unit: 'ms',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ thresholds }) =>
    `new leader within ${formatDuration(thresholds.maxMs)} of a fault that hit the leader`,
  check({ history, span, windowPhrase }, { thresholds, select }) {
    const leaders = history.events
      .filter((e): e is LeaderEvent => e.type === 'leader')
      .filter((e) => select.component === undefined || e.component === select.component)
      .sort((a, b) => a.t - b.t);
    const injects = faultInjectsIn(history, span);
    const what = select.component ? `${select.component} leader` : 'leader';
    if (leaders.length === 0) {
      return cannotJudge(
        `Leader failover could not be judged ${windowPhrase}: no ${what} was ever recorded.`,
        `The history has no leader events${select.component ? ` for ${select.component}` : ''}.`,
      );
    }
    if (injects.length === 0) {
      return cannotJudge(
        `Leader failover could not be judged ${windowPhrase}: no fault was injected in it.`,
        `No fault-inject event between ${formatT(span[0])} and ${formatT(span[1])}.`,
      );
    }
    const components = [...new Set(leaders.map((e) => e.component))].sort();
    const outcomes: VerdictOutcome[] = [];
    const evidence: Evidence[] = [];
    const gaps: number[] = [];
    const sentences: string[] = [];
    for (const inject of injects) {
      const fault = `${faultWords(inject.fault)} (fault ${inject.fault.id} at ${formatT(inject.t)})`;
      for (const component of components) {
        const ofComponent = leaders.filter((e) => e.component === component);
        const holder = ofComponent.filter((e) => e.t <= inject.t).pop();
        if (!holder) {
          outcomes.push('unknown');
          evidence.push({ t: inject.t, message: `No ${component} leader was known when ${fault}.` });
          continue;
        }
        if (
          !inject.fault.targets.includes(holderNode(holder.holder)) &&
          !inject.fault.targets.includes(holder.holder)
        ) {
          outcomes.push('pass');
          evidence.push({
            t: inject.t,
            message: `When ${fault}, the ${component} leader was ${holder.holder}, which the fault did not hit; no failover was needed.`,
          });
          continue;
        }
        const next = ofComponent.find((e) => e.t > inject.t && e.holder !== holder.holder);
        if (!next || next.t > span[1]) {
          outcomes.push('fail');
          sentences.push(
            `after ${fault}, no other ${component} instance took over from ${holder.holder} by ${formatT(span[1])}`,
          );
          evidence.push({
            t: inject.t,
            message: `${component} leader ${holder.holder} was hit when ${fault}; no other instance took the lease by ${formatT(span[1])}.`,
          });
          continue;
        }
        const gap = next.t - inject.t;
        gaps.push(gap);
        const pass = gap <= thresholds.maxMs;
        outcomes.push(pass ? 'pass' : 'fail');
        sentences.push(
          `after ${fault}, ${next.holder} took over as ${component} leader in ${formatDuration(gap)}`,
        );
        evidence.push({
          t: next.t,
          message: `${component}: leader ${holder.holder} hit at ${formatT(inject.t)}, ${next.holder} led from ${formatT(next.t)} (${formatDuration(gap)}${pass ? '' : `, more than the ${formatDuration(thresholds.maxMs)} allowed`}).`,
        });
      }
    }
    const outcome = mergeOutcomes(outcomes);
    const measured = gaps.length > 0 ? Math.max(...gaps) : null;
    const summary =
      sentences.length > 0
        ? `${capitalize(listWords(sentences))}.`
        : outcome === 'pass'
          ? `When ${listWords(injects.map((e) => faultWords(e.fault)))}, no ${what} was hit, so no failover was needed.`
          : `Leader failover could not be judged ${windowPhrase}: the ${what} at the time of the fault is not known.`;
    return { outcome, measured, summary, evidence };
  },
};

/** The node a lease holder runs on: `scheduler-0`, or `scheduler-0` in `scheduler-0_4f2c…`. */
function holderNode(holder: string): string {
  return holder.split('_')[0]!;
}
