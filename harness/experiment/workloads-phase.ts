import type { Phase } from './phase.js';
import { setUpTenants } from './tenant-setup.js';
import { STEADY_STATE_MARGIN_MS, awaitSteadyState } from './steady-state.js';
import { applyWorkloads } from './workloads.js';

/** workloads: each tenant's namespaces and user, then the scenario's manifests, applied with kubectl. */
export const workloadsPhase: Phase = {
  name: 'workloads',
  kind: 'lifecycle',
  timeoutMs: (run) => run.scenario.timeouts.workloadsMs,
  async run(run) {
    await setUpTenants(run.client!, run.scenario.tenants);
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
