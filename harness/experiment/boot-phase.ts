import { randomBytes } from 'node:crypto';
import { adminClient } from '../cluster/index.js';
import { FaultInjector } from '../faults/index.js';
import { seededRandom } from '../support/index.js';
import type { Phase } from './phase.js';

/**
 * boot: the scenario's cluster, under a name of its own; then the admin's
 * client and the fault injector, whose events go into the history.
 */
export const bootPhase: Phase = {
  name: 'boot',
  kind: 'lifecycle',
  timeoutMs: (run) => run.scenario.timeouts.bootMs,
  async run(run, signal) {
    const { scenario, options } = run;
    const cluster = await options.provider.create(
      { ...scenario.cluster, name: `run-${randomBytes(3).toString('hex')}` },
      (line) => options.progress(`boot: ${line}`),
      signal,
    );
    run.cluster = cluster;
    run.client = adminClient(cluster);
    run.injector = new FaultInjector(
      { cluster, random: seededRandom(options.seed) },
      { now: () => run.now(), record: run.record },
    );
  },
};
