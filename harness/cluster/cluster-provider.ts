import type { ClusterCredentials } from './cluster-credentials.js';
import type { ClusterRecord, ProviderName } from './cluster-record.js';
import type { ClusterSpec } from './cluster-spec.js';
import type { RunningCluster } from './running-cluster.js';

/**
 * A way to run clusters, as kind's Provider: one implementation per engine, nodes found by label.
 * `create` boots a cluster and hands back its live handle; `attach` gives the handle of a cluster
 * booted earlier (by `crucible up`, or another process) from its record.
 */
export interface ClusterProvider {
  readonly name: ProviderName;
  /** Boots the cluster; on failure or abort removes everything it created, then rethrows. */
  create(spec: ClusterSpec, progress: (line: string) => void, signal?: AbortSignal): Promise<RunningCluster>;
  /** The live handle of a cluster this provider booted. */
  attach(record: ClusterRecord, credentials: ClusterCredentials): RunningCluster;
  /** Removes everything of the cluster (by label, so also what a crashed run left); how many things it removed. */
  delete(name: string): Promise<number>;
}
