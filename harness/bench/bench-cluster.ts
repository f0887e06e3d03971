import type { ApiClient } from '../../orchestrator/api/client/index.js';
import {
  type ClusterSpec,
  type ClusterRecord,
  type ProviderName,
  adminClient,
  chooseProvider,
  defaultClusterSpec,
} from '../cluster/index.js';
import { FaultInjector } from '../faults/index.js';
import { seededRandom } from '../support/index.js';

export interface BenchClusterOptions {
  /** Part of the cluster's name, so that a leftover says which section left it. */
  section: string;
  workers: number;
  /** etcd members (default 1). */
  etcdMembers?: 1 | 3;
  /** Flags appended to a component's command line, e.g. the controller-manager's timing. */
  extraArgs?: Partial<ClusterSpec['extraArgs']>;
  progress: (line: string) => void;
}

/** A cluster booted for one bench section, with an admin client and a fault injector on it. */
export interface BenchCluster {
  provider: ProviderName;
  workers: ClusterRecord['workers'];
  client: ApiClient;
  /** What a raw client needs: the apiservers' URLs, the admin's token, the cluster's CA. */
  access: { apiservers: readonly string[]; token: string; caPem: string };
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
  const spec: ClusterSpec = {
    ...base,
    etcd: { ...base.etcd, members: options.etcdMembers ?? base.etcd.members },
    extraArgs: { ...base.extraArgs, ...options.extraArgs },
  };
  const cluster = await provider.create(spec, options.progress);
  // A cluster crucible boots always has the admin's token (only an existing cluster may lack one).
  const token = cluster.credentials.adminToken;
  if (!token) {
    await cluster.delete();
    throw new Error(`bench cluster ${spec.name} came up without an admin token`);
  }
  const client = adminClient(cluster);
  const faults = new FaultInjector({ cluster, random: seededRandom(1) });
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    await client.close();
    await cluster.delete();
  };
  return {
    provider: cluster.provider,
    workers: cluster.record.workers,
    client,
    access: {
      apiservers: cluster.record.apiservers,
      token,
      caPem: cluster.credentials.caPem,
    },
    faults,
    stop: () => (stopped ??= stop()),
  };
}
