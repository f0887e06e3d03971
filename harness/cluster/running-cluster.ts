import type { ClusterCredentials } from './cluster-credentials.js';
import type { ClusterFeature } from './cluster-features.js';
import type { ClusterRecord, ProviderName } from './cluster-record.js';

/** What a command run inside a node printed and how it ended. */
export interface ExecResult {
  exitCode: number;
  output: string;
}

/** One DROP rule a packet filter adds to a node: a whole peer node, or a random share of what comes in. */
export type DropRule = { peer: string } | { incomingShare: number };

/**
 * Packet filtering inside a node's own network namespace (iptables), for partitions and packet
 * loss. Only providers whose nodes have network namespaces of their own offer it.
 */
export interface PacketFilter {
  /** Drops packets on `node` as the rules say (both directions for a peer). */
  drop(node: string, rules: DropRule[]): Promise<void>;
  /** Removes every rule crucible added on `node`; how many. A node that is not running has none. */
  clear(node: string): Promise<number>;
}

/** What no pod of the cluster may read or reach, as a pod on one of its nodes would name it. */
export interface PodEscapeTargets {
  /** Folders and files of the nodes: credentials, the kubelets' state, other pods' directories. */
  files: string[];
  /** By name: the control plane's endpoints and the kubelets' APIs (etcd, Toxiproxy's API, each kubelet). */
  urls: Record<string, string>;
}

/**
 * A cluster that is up: its record (where its parts are), its credentials, and the operations on
 * its nodes, as testcontainers' StartedTestContainer is to a container. A node is the unit that
 * fails together: a control-plane component (etcd-0, apiserver-1, …), a worker (worker-2: kubelet,
 * kube-proxy and its pods) or toxiproxy. Every operation is safe to repeat (pausing a paused node
 * does nothing); an operation the provider cannot do at all fails with ProviderUnsupported.
 */
export interface RunningCluster {
  readonly name: string;
  readonly provider: ProviderName;
  /** What it lets crucible do beyond the API (its provider's). */
  readonly features: ReadonlySet<ClusterFeature>;
  /** Where the cluster's parts are. Read it; only the cluster itself changes it. */
  readonly record: Readonly<ClusterRecord>;
  readonly credentials: ClusterCredentials;
  /** Where crucible keeps what later processes must know of the cluster (the faults in force). */
  readonly stateDir: string;
  /** SIGKILL: the node's processes end at once, its connections close. */
  kill(node: string): Promise<void>;
  /** Freezes the node (connections stall but survive) / thaws it. */
  pause(node: string): Promise<void>;
  unpause(node: string): Promise<void>;
  /** Stops the node gracefully / starts it again with the same addresses. Start also revives a killed node. */
  stop(node: string): Promise<void>;
  start(node: string): Promise<void>;
  /** Cuts the node from the cluster's network / plugs it back with the same address and aliases. */
  disconnect(node: string): Promise<void>;
  connect(node: string): Promise<void>;
  /** SIGKILLs one member inside its node (a worker's kubelet or kube-proxy), leaving the rest running. */
  killMember(member: string): Promise<void>;
  /** Starts one member again inside its node, with its command line; nothing when it runs. */
  startMember(member: string): Promise<void>;
  /**
   * Undoes whatever a fault may have done to the node, whichever provider runs it: unpaused,
   * connected, running, no packet filter rule left. What is already whole is left alone.
   */
  restore(node: string): Promise<void>;
  /** What a pod must not be able to read or reach on this cluster (the isolation battery tries each from inside pods). */
  podEscapeTargets(): PodEscapeTargets;
  /** Packet filtering in each node's namespace, where the provider has it (docker); undefined elsewhere. */
  readonly packetFilter?: PacketFilter;
  /** Runs a command inside the node. */
  exec(node: string, command: string[]): Promise<ExecResult>;
  /** What the node's processes wrote (a member's own, when `member` names one). */
  logs(nodeOrMember: string): Promise<string>;
  /** The node's resident memory in MiB: its processes' resident sets, or its container's usage less page cache. */
  memoryMiB(node: string): Promise<number>;
  /** How much of the cluster runs, in words for `crucible ls`: "containers 7/7 running". */
  liveness(): Promise<string>;
  /**
   * Leaves the cluster up for the user after the run (`--keep`): an existing cluster's namespaces
   * are marked kept, so no later run takes them for a crashed run's. Nothing to do where absent.
   */
  keep?(): Promise<void>;
  /** Removes everything of the cluster; how many things it removed. Safe to call twice. */
  delete(): Promise<number>;
}
