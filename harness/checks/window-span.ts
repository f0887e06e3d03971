import type { CheckWindow, History, PhaseName } from '../history/history.js';
import { CheckError } from './check-error.js';
import { faultHeals, faultInjects } from './fault-events.js';
import { formatT } from './format-figures.js';
import type { Evidence } from './verdict.js';

/** [startT, endT] in ms since the run started, both ends included. */
export type Span = [startT: number, endT: number];

/** The forms a window takes, each in words: the one list an error and the scenario reference give. */
export const WINDOW_FORMS: readonly { readonly form: string; readonly description: string }[] = [
  { form: 'whole-run', description: 'from the start of the run to its end (the default)' },
  {
    form: 'before-faults',
    description: 'from when the load and the recorders start to the first fault',
  },
  {
    form: 'after-heal',
    description: 'from the last heal to the end of recovery; needs a fault',
  },
  {
    form: '{during: <fault id>}',
    description: "from that fault's injection to its heal (a nemesis's faults are nemesis-1, nemesis-2, …)",
  },
];

/** A window resolved on one history. */
export interface WindowSpan {
  span: Span;
  /** Caveats on how it was resolved (a fault never healed, …), for the verdict's evidence. */
  notes: Evidence[];
}

/**
 * Resolves a check's window on a history:
 * - `whole-run`: 0 → the end of the run (`runEnd`).
 * - `before-faults`: the start of the `recorders` phase (when load and recorders start; failing
 *   that the end of `steady-state`, failing that 0) → the first fault injection (failing that the
 *   start of the `faults` phase, failing that the end of the run).
 * - `{during: id}`: the fault's first injection → its first heal after that. A fault that was
 *   never healed (an aborted run) runs to the end of the run, with a note saying so.
 * - `after-heal`: the last fault heal → the end of the `recovery` phase (or of the run).
 * Throws a CheckError when the window names a fault the history does not hold, needs a heal
 * that never happened, or would end before it starts.
 */
export function windowSpan(history: History, window: CheckWindow): WindowSpan {
  const end = runEnd(history);
  const notes: Evidence[] = [];
  let span: Span;
  if (window === 'whole-run') {
    span = [0, end];
  } else if (window === 'before-faults') {
    const start = phase(history, 'recorders')?.startT ?? phase(history, 'steady-state')?.endT ?? 0;
    const firstInject = faultInjects(history)[0]?.t;
    span = [start, firstInject ?? phase(history, 'faults')?.startT ?? end];
  } else if (window === 'after-heal') {
    const heals = faultHeals(history);
    const lastHeal = heals[heals.length - 1];
    if (!lastHeal) {
      throw new CheckError(
        'FaultNotFound',
        'The window "after-heal" needs a healed fault; the history has none.',
      );
    }
    const recoveryEnd = phase(history, 'recovery')?.endT;
    span = [lastHeal.t, recoveryEnd !== undefined && recoveryEnd >= lastHeal.t ? recoveryEnd : end];
  } else if (isDuring(window)) {
    const id = window.during;
    const inject = faultInjects(history).find((e) => e.fault.id === id);
    if (!inject) {
      const known = [...new Set(faultInjects(history).map((e) => e.fault.id))];
      const hint = known.length > 0 ? `it has ${known.map((k) => `"${k}"`).join(', ')}` : 'it has none';
      throw new CheckError(
        'FaultNotFound',
        `The history has no fault "${id}" for the window "during" (${hint}).`,
      );
    }
    const heal = faultHeals(history).find((e) => e.fault.id === id && e.t >= inject.t);
    if (!heal) {
      notes.push({
        t: inject.t,
        message: `Fault "${id}" was never healed; its window runs to the end of the run (${formatT(end)}).`,
      });
    }
    span = [inject.t, heal?.t ?? end];
  } else {
    throw new CheckError(
      'InvalidWindow',
      `The window ${JSON.stringify(window)} is not one of ${WINDOW_FORMS.map((w) => w.form).join(', ')}.`,
    );
  }
  if (span[1] < span[0]) {
    throw new CheckError(
      'EmptyWindow',
      `The window ${windowName(window)} ends (${formatT(span[1])}) before it starts (${formatT(span[0])}).`,
    );
  }
  return { span, notes };
}

/** The end of the run: the end of its last phase, or the latest moment anything was recorded. */
export function runEnd(history: History): number {
  const { series } = history;
  const times = [
    ...history.metadata.phases.map((p) => p.endT),
    ...history.events.map((e) => e.t),
    ...series.load.map((s) => s.t + 1000),
    ...series.workloads.map((s) => s.t),
    ...series.nodes.map((s) => s.t),
    ...series.api.map((s) => s.t),
    ...history.groundTruth.map((s) => s.t),
    ...history.durability.writes.map((w) => w.t),
    ...history.durability.finalReads.map((r) => r.t),
    ...history.isolation.map((p) => p.t),
  ];
  return times.reduce((a, b) => Math.max(a, b), 0);
}

/** Whether a sample taken at `t` falls in the span (both ends included). */
export function inSpan(t: number, span: Span): boolean {
  return span[0] <= t && t <= span[1];
}

/**
 * Whether the load second starting at `t` belongs to the span: it does when its middle does, so
 * a second that straddles a boundary (a fault's injection) counts on exactly one side.
 */
export function secondInSpan(t: number, span: Span): boolean {
  return inSpan(t + 500, span);
}

/** How a window reads in a message: whole-run, after-heal, during kill-worker-2. */
export function windowName(window: CheckWindow): string {
  return typeof window === 'string' ? window : `during ${window.during}`;
}

function isDuring(window: unknown): window is { during: string } {
  return (
    typeof window === 'object' &&
    window !== null &&
    typeof (window as { during?: unknown }).during === 'string'
  );
}

function phase(history: History, name: PhaseName) {
  return history.metadata.phases.find((p) => p.name === name);
}
