import { judge, type Verdict } from '../checks/index.js';
import { assembleHistory, type History } from '../history/index.js';
import type { Scenario } from '../scenario/scenario.js';
import { bootPhase } from './boot-phase.js';
import { collectPhase, healPhase, recoveryPhase, teardownPhase } from './cleanup-phases.js';
import { ExperimentRun, type ExperimentOptions } from './experiment-run.js';
import { faultsPhase } from './faults-phase.js';
import { observationPhase } from './observation-phase.js';
import { enterPhase, type Phase } from './phase.js';
import { runMetadata } from './run-metadata.js';
import { steadyStatePhase, workloadsPhase } from './workloads-phase.js';

export type { ExperimentOptions };

export interface ExperimentResult {
  history: History;
  verdicts: Verdict[];
  /** The harness's own failure, if any (the run is then judged on what was recorded). */
  error?: Error;
}

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
  const history = assembleHistory({
    metadata: await runMetadata(run),
    events: run.events,
    loadSeconds: run.loadSeconds,
    recorders: run.observation?.recorders,
  });
  return { history, verdicts: judge(history), ...(run.error ? { error: run.error } : {}) };
}
