import { sleep } from '../support/index.js';
import type { Phase } from './phase.js';
import { collectEvidence } from './run-evidence.js';
import { STEADY_STATE_MARGIN_MS, awaitSteadyState } from './steady-state.js';
import { runNamespaces } from './tenant-setup.js';

/** How long heal and collect may take. */
const CLEANUP_MS = 30_000;
/** How long the recorders go on after the cluster has recovered. */
const AFTER_RECOVERY_OBSERVATION_MS = 3000;

/** heal: every fault still in force, and whatever a fault may have left, undone (Jepsen's final heal). */
export const healPhase: Phase = {
  name: 'heal',
  kind: 'cleanup',
  timeoutMs: () => CLEANUP_MS,
  applies: (run) => run.injector !== undefined,
  run: async (run) => void (await run.injector!.healAll()),
};

/** recovery: the steady state again (only after a run that was not aborted), then a little more recording, so after-heal checks see it in several samples. */
export const recoveryPhase: Phase = {
  name: 'recovery',
  kind: 'observation',
  applies: (run) => run.cluster !== undefined,
  timeoutMs: (run) =>
    run.scenario.timeouts.recoveryMs + AFTER_RECOVERY_OBSERVATION_MS + STEADY_STATE_MARGIN_MS,
  async run(run, signal) {
    await awaitSteadyState(run, 'recovery', run.scenario.timeouts.recoveryMs, signal);
    await sleep(AFTER_RECOVERY_OBSERVATION_MS, signal);
  },
};

/**
 * collect: the loads and recorders stopped, the durability writes read back unless the run was
 * aborted, and the evidence taken (each node's log, the cluster's objects) while the cluster is up.
 */
export const collectPhase: Phase = {
  name: 'collect',
  kind: 'cleanup',
  timeoutMs: () => CLEANUP_MS,
  async run(run) {
    if (run.observation)
      run.loadSeconds = await run.observation.stop({
        verifyDurability: !run.aborted,
        now: () => run.now(),
        record: run.record,
      });
    if (run.cluster && run.client)
      run.evidence = await collectEvidence(
        run.cluster,
        run.client,
        runNamespaces(run.scenario, run.cluster.name),
      );
  },
};

/** teardown: the cluster removed, unless the run was asked to keep it (then kept: see RunningCluster.keep). */
export const teardownPhase: Phase = {
  name: 'teardown',
  kind: 'cleanup',
  timeoutMs: (run) => run.scenario.timeouts.teardownMs,
  applies: (run) => run.cluster !== undefined,
  run: async (run) => {
    if (run.options.keep) await run.cluster!.keep?.();
    else await run.cluster!.delete();
  },
};
