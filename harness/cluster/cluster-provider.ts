import type { ClusterCredentials } from './cluster-credentials.js';
import type { ClusterFeature } from './cluster-features.js';
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
  /** What its clusters let crucible do beyond the API; a scenario needing more is refused before it runs. */
  readonly features: ReadonlySet<ClusterFeature>;
  /**
   * Why this provider cannot give what the spec asks for, one reason each (none: it can). A
   * provider that boots clusters boots what is asked; an existing cluster is what it is.
   */
  unmetNeeds(spec: ClusterSpec): string[];
  /** Boots the cluster; on failure or abort removes everything it created, then rethrows. */
  create(spec: ClusterSpec, progress: (line: string) => void, signal?: AbortSignal): Promise<RunningCluster>;
  /** The live handle of a cluster this provider booted. */
  attach(record: ClusterRecord, credentials: ClusterCredentials): RunningCluster;
  /** Removes everything of the cluster (by label, so also what a crashed run left); how many things it removed. */
  delete(name: string): Promise<number>;
}
