import type { UnmetConditionEvent } from '../history/history.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { plural } from './format-figures.js';

const shape = {
  description:
    "Was the system in its steady state (the workloads' Deployments ready, the Services answering) before anything was done to it? The run adds this check itself when the steady state was not reached.",
  thresholds: {},
  select: {},
  windows: 'any (it looks at the steady-state phase, whatever the window)',
  measures: 'the conditions left unmet when the steady-state phase ran out of time (0 when it was reached)',
} as const satisfies CheckSpecShape;

type SteadyStateOptions = ReadCheckSpec<typeof shape>;

/**
 * steady-state: was the system in its steady state before anything was done to it? Chaos
 * Toolkit's hypothesis: a steady state never reached is a verdict about the system under test (an
 * experiment that failed), not a failure of the harness. The run adds this check by itself when the
 * steady state was not reached; a scenario may declare it too.
 *
 * Measured: the conditions left unmet when the steady-state phase ran out of time (0 when it was
 * reached). Unknown when the run never got to the phase (it stopped while booting, say).
 */
export const steadyStateCheck: Checker<SteadyStateOptions> = {
  type: 'steady-state',
  shape,
  unit: 'conditions unmet',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: () => 'the steady state reached before the faults',
  check({ history }) {
    const unmet = history.events.filter(
      (e): e is UnmetConditionEvent => e.type === 'unmet' && e.phase === 'steady-state',
    );
    const phase = history.metadata.phases.find((p) => p.name === 'steady-state');
    if (unmet.length > 0)
      return {
        outcome: 'fail',
        measured: unmet.length,
        summary: `The steady state was not reached: ${plural(unmet.length, 'condition')} still unmet after ${Math.round(((phase?.endT ?? unmet[0]!.t) - (phase?.startT ?? 0)) / 1000)} s.`,
        evidence: unmet.map((u) => ({ t: u.t, message: `${u.subject}: ${u.observation}` })),
      };
    if (phase?.outcome === 'ok')
      return {
        outcome: 'pass',
        measured: 0,
        summary: 'The steady state was reached before the faults.',
        evidence: [],
      };
    return cannotJudge(
      'The steady state could not be judged: the run did not wait for it to the end.',
      phase
        ? `The steady-state phase ended ${phase.outcome}${phase.error ? `: ${phase.error}` : ''}.`
        : 'The run stopped before the steady-state phase.',
    );
  },
};
