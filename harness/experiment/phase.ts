import type { PhaseName } from '../history/index.js';
import type { ExperimentRun } from './experiment-run.js';

/**
 * One phase of the lifecycle, a unit of its own: what it is called in the history, how long it may
 * take, whether it has anything to do in this run, and what it does.
 */
export interface Phase {
  name: PhaseName;
  /**
   * - `lifecycle`: runs only while everything before it went well; its failure aborts the run.
   * - `observation`: the same, but its failure is noted in the history and aborts nothing
   *   (recovery: a cluster that does not recover is for the checks to judge).
   * - `cleanup`: runs whatever happened before (heal, collect, teardown), bounded by its timeout only.
   */
  kind: 'lifecycle' | 'observation' | 'cleanup';
  timeoutMs(run: ExperimentRun): number;
  /** False when there is nothing for it to act on in this run (no cluster booted, say). */
  applies?(run: ExperimentRun): boolean;
  run(run: ExperimentRun, signal: AbortSignal): Promise<void>;
}

/** Runs one phase under the run's clock and files its failure where its kind says. */
export async function enterPhase(run: ExperimentRun, phase: Phase): Promise<void> {
  if (phase.kind !== 'cleanup' && run.aborted) return;
  if (phase.applies && !phase.applies(run)) return;
  try {
    await run.clock.run(
      phase.name,
      phase.timeoutMs(run),
      (signal) => phase.run(run, signal),
      phase.kind === 'cleanup',
    );
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (phase.kind === 'lifecycle') run.lifecycleError ??= error;
    else if (phase.kind === 'cleanup') run.cleanupError ??= error;
    else run.record({ t: run.now(), type: 'note', message: `no ${phase.name}: ${error.message}` });
  }
}
