import type { Phase } from './phase.js';
import { setUpNamespaces } from './tenant-setup.js';
import { STEADY_STATE_MARGIN_MS, awaitSteadyState } from './steady-state.js';
import { applyWorkloads } from './workloads.js';

/** workloads: the run's namespaces and each tenant's identity, then the scenario's manifests, applied with kubectl. */
export const workloadsPhase: Phase = {
  name: 'workloads',
  kind: 'lifecycle',
  timeoutMs: (run) => run.scenario.timeouts.workloadsMs,
  async run(run) {
    run.tenantTokens = await setUpNamespaces(run.client!, run.scenario, run.cluster!.name);
    await applyWorkloads(run.cluster!, run.scenario);
  },
};

/** steady-state: Chaos Toolkit's hypothesis holds before anything is done to the system. */
export const steadyStatePhase: Phase = {
  name: 'steady-state',
  kind: 'lifecycle',
  timeoutMs: (run) => run.scenario.timeouts.steadyStateMs + STEADY_STATE_MARGIN_MS,
  run: (run, signal) => awaitSteadyState(run, 'steady-state', run.scenario.timeouts.steadyStateMs, signal),
};
