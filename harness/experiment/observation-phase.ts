import { Observation } from './observation.js';
import type { Phase } from './phase.js';

/** How long starting the recorders and loads may take (resolving Services, a first isolation pass). */
const OBSERVATION_START_MS = 30_000;

/** recorders: everything that watches the run (recorders, loads, the isolation battery), started together. */
export const observationPhase: Phase = {
  name: 'recorders',
  kind: 'lifecycle',
  timeoutMs: () => OBSERVATION_START_MS,
  async run(run) {
    run.observation = new Observation({
      cluster: run.cluster!,
      scenario: run.scenario,
      runStartedAt: run.startedAt,
      tenantTokens: run.tenantTokens,
      progress: run.options.progress,
      ...(run.options.loadDriver ? { loadDriver: run.options.loadDriver } : {}),
    });
    await run.observation.start(run.client!);
  },
};
