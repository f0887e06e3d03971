import { judge, judgeExpectation, type ExpectationVerdict, type Verdict } from '../checks/index.js';
import { assembleHistory, type CheckSpec, type History } from '../history/index.js';
import type { Scenario } from '../scenario/scenario.js';
import { bootPhase } from './boot-phase.js';
import { collectPhase, healPhase, recoveryPhase, teardownPhase } from './cleanup-phases.js';
import { ExperimentRun, type ExperimentOptions } from './experiment-run.js';
import { faultsPhase } from './faults-phase.js';
import { observationPhase } from './observation-phase.js';
import { enterPhase, type Phase } from './phase.js';
import { runMetadata } from './run-metadata.js';
import { SteadyStateNotReached } from './steady-state.js';
import { steadyStatePhase, workloadsPhase } from './workloads-phase.js';

export type { ExperimentOptions };

export interface ExperimentResult {
  history: History;
  verdicts: Verdict[];
  /** A sabotage scenario's judgement against its `expect`: what its exit code and score go by. */
  expectation?: ExpectationVerdict;
  /**
   * The harness's own failure, if any (the run is then judged on what was recorded). A steady
   * state never reached is not one: it is the failed verdict of the steady-state check.
   */
  error?: Error;
  /** Whether the run says nothing trustworthy about the system: the harness failed, or Ctrl-C. */
  harnessFailed: boolean;
  /** What a person needs to understand the run without re-running it (see collectEvidence): path → text. */
  evidence: ReadonlyMap<string, string>;
}

/** The check a run adds by itself when the steady state was not reached (Chaos Toolkit's hypothesis). */
const STEADY_STATE_CHECK: CheckSpec = {
  name: 'steady-state',
  type: 'steady-state',
  window: 'whole-run',
  thresholds: {},
};

/**
 * The lifecycle, Jepsen's way. The first five phases run while all goes well; heal, collect and
 * teardown run whatever happened before (a failed phase, a timeout, Ctrl-C); recovery is watched
 * only after a run that was not aborted.
 */
const LIFECYCLE: readonly Phase[] = [
  bootPhase,
  workloadsPhase,
  steadyStatePhase,
  observationPhase,
  faultsPhase,
  healPhase,
  recoveryPhase,
  collectPhase,
  teardownPhase,
];

/** One experiment: the lifecycle's phases in order, then the history, judged by its checks. */
export async function runExperiment(
  scenario: Scenario,
  options: ExperimentOptions,
): Promise<ExperimentResult> {
  const run = new ExperimentRun(scenario, options);
  for (const phase of LIFECYCLE) await enterPhase(run, phase);
  await run.client?.close();
  if (run.cluster && options.keep)
    options.progress(`cluster ${run.cluster.name} kept: crucible down ${run.cluster.name}`);
  const metadata = await runMetadata(run);
  const steadyStateFailed = run.lifecycleError instanceof SteadyStateNotReached;
  if (steadyStateFailed && !metadata.checks.some((c) => c.type === 'steady-state'))
    metadata.checks.unshift(STEADY_STATE_CHECK);
  const history = assembleHistory({
    metadata,
    events: run.events,
    loadSeconds: run.loadSeconds,
    recorders: run.observation?.recorders,
  });
  const error = steadyStateFailed ? run.cleanupError : run.error;
  const verdicts = judge(history);
  return {
    history,
    verdicts,
    ...(scenario.expect ? { expectation: judgeExpectation(scenario.expect, verdicts) } : {}),
    ...(error ? { error } : {}),
    harnessFailed: error !== undefined || options.signal.aborted,
    evidence: run.evidence,
  };
}
