import type { ProviderChoice } from '../cluster/index.js';
import type { Cluster } from './cluster.js';
import { CrucibleError } from './library-error.js';
import { up } from './up.js';

let shared: Cluster | undefined;

/** The cluster the whole mocha run shares (booted by the root hooks below). */
export function sharedCluster(): Cluster {
  if (!shared)
    throw new CrucibleError(
      'ClusterDown',
      "no shared cluster: run mocha with crucible's root hooks (`--require crucible/mocha`) or call up() yourself",
    );
  return shared;
}

/**
 * mocha root hooks (`mocha --require crucible/mocha`): one cluster of the bundled orchestrator for
 * the whole run, booted before the first test and removed after the last, whatever happened.
 * CRUCIBLE_PROVIDER (docker, process, auto) and CRUCIBLE_WORKERS choose it; tests reach it with
 * `sharedCluster()`.
 */
export const mochaHooks = {
  async beforeAll(this: { timeout(ms: number): void }): Promise<void> {
    this.timeout(180_000);
    const workers = process.env.CRUCIBLE_WORKERS ? Number(process.env.CRUCIBLE_WORKERS) : 2;
    shared = await up({ provider: (process.env.CRUCIBLE_PROVIDER as ProviderChoice) ?? 'auto', workers });
  },
  async afterAll(this: { timeout(ms: number): void }): Promise<void> {
    this.timeout(60_000);
    await shared?.down();
    shared = undefined;
  },
};
