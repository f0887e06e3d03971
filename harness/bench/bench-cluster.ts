import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { chooseProvider } from '../cluster/choose-provider.js';
import { adminClient } from '../cluster/cluster-client.js';
import type { ClusterProvider } from '../cluster/cluster-provider.js';
import { defaultClusterSpec, type ClusterSpec } from '../cluster/cluster-spec.js';
import type { ClusterState } from '../cluster/cluster-state.js';
import { FaultInjector } from '../faults/index.js';
import { seededRandom } from '../support/index.js';

export interface BenchClusterOptions {
  /** Part of the cluster's name, so that a leftover says which section left it. */
  section: string;
  workers: number;
  /** Flags appended to a component's command line, e.g. the controller-manager's timing. */
  extraArgs?: Partial<ClusterSpec['extraArgs']>;
  progress: (line: string) => void;
}

/** A cluster booted for one bench section, with an admin client and a fault injector on it. */
export interface BenchCluster {
  state: ClusterState;
  provider: ClusterProvider;
  client: ApiClient;
  /** Injects faults as `crucible fault` and experiments do, each written down before it acts. */
  faults: FaultInjector;
  /** Removes the cluster with whatever faults are in force (nothing needs healing first); safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Boots 1 control plane + `workers` workers with the fast timing profile, on the docker provider
 * when an engine answers, else on the process provider (as `crucible up` chooses). The cluster
 * lives in the usual state folder, so that one a killed bench left is found by `crucible down`.
 */
export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const provider = await chooseProvider('auto');
  const base = defaultClusterSpec({
    name: `bench-${options.section}-${process.pid}`,
    workers: options.workers,
  });
  const spec: ClusterSpec = { ...base, extraArgs: { ...base.extraArgs, ...options.extraArgs } };
  const state = await provider.create(spec, options.progress);
  const client = await adminClient(state).catch(async (e: unknown) => {
    await provider.delete(state.name);
    throw e;
  });
  const faults = new FaultInjector({ state, provider, random: seededRandom(1) });
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    await client.close();
    await provider.delete(state.name);
  };
  return { state, provider, client, faults, stop: () => (stopped ??= stop()) };
}
