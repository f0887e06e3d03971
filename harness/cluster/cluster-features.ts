/**
 * What a cluster lets crucible do beyond the Kubernetes API, which every cluster has. A scenario
 * that needs what its cluster lacks is refused before it runs, with the reason in these words.
 */
export type ClusterFeature =
  /** crucible runs the control plane's components: it can kill, stop and restart each. */
  | 'control-plane-components'
  /** The components talk through Toxiproxy: latency, bandwidth, timeouts, resets, links down. */
  | 'control-plane-links'
  /** crucible can kill, pause, stop and disconnect each worker (a container or process group of its own, or a matched one). */
  | 'worker-nodes'
  /** Packets can be dropped inside each node's own network namespace. */
  | 'packet-filter'
  /** The cluster is the run's alone: it may use namespaces it did not create (`default`). */
  | 'own-cluster';

/** Each feature in words, as the reason a scenario cannot run: "needs <words>". */
export const FEATURE_WORDS: Readonly<Record<ClusterFeature, string>> = {
  'control-plane-components':
    "the control plane's components run by crucible (to kill, stop or restart them)",
  'control-plane-links': "the control plane's links through Toxiproxy",
  'worker-nodes':
    'workers crucible can kill, pause, stop or disconnect (its own, or Docker containers matched to the Nodes)',
  'packet-filter': "packet filtering in each node's own network namespace (Docker containers)",
  'own-cluster': 'a cluster of its own',
};

/** What crucible's process clusters can do: all but packet filtering (the nodes share the host's network). */
export const PROCESS_FEATURES: ReadonlySet<ClusterFeature> = new Set<ClusterFeature>([
  'control-plane-components',
  'control-plane-links',
  'worker-nodes',
  'own-cluster',
]);

/** Everything: what crucible's docker clusters can do. */
export const ALL_FEATURES: ReadonlySet<ClusterFeature> = new Set(
  Object.keys(FEATURE_WORDS) as ClusterFeature[],
);
