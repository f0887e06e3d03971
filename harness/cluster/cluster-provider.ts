import type { ClusterSpec } from './cluster-spec.js';
import type { ClusterState, ProviderName } from './cluster-state.js';

/** What a command run inside a node printed and how it ended. */
export interface ExecResult {
  exitCode: number;
  output: string;
}

/**
 * A way to run clusters, as kind's Provider: one implementation per engine, nodes found by label.
 * A node is the unit that fails together: a control-plane component (etcd-0, apiserver-1,
 * scheduler-0, controller-manager-0), a worker (worker-2: kubelet, kube-proxy and its pods), or
 * toxiproxy. Every operation on a node is safe to repeat (pausing a paused node does nothing).
 */
export interface ClusterProvider {
  readonly name: ProviderName;
  /** Boots the cluster; on failure or abort removes everything it created, then rethrows. */
  create(spec: ClusterSpec, progress: (line: string) => void, signal?: AbortSignal): Promise<ClusterState>;
  /** Removes everything of the cluster (by label, so also what a crashed run left); how many things it removed. */
  delete(name: string): Promise<number>;
  /** SIGKILL: the node's processes end at once, its connections close. */
  kill(state: ClusterState, node: string): Promise<void>;
  /** Freezes the node (connections stall but survive) / thaws it. */
  pause(state: ClusterState, node: string): Promise<void>;
  unpause(state: ClusterState, node: string): Promise<void>;
  /** Stops the node gracefully / starts it again with the same addresses. Start also revives a killed node. */
  stop(state: ClusterState, node: string): Promise<void>;
  start(state: ClusterState, node: string): Promise<void>;
  /** Cuts the node from the cluster's network / plugs it back with the same address and aliases. */
  disconnect(state: ClusterState, node: string): Promise<void>;
  connect(state: ClusterState, node: string): Promise<void>;
  /** SIGKILLs one member inside its node (a worker's kubelet or kube-proxy), leaving the rest running. */
  killMember(state: ClusterState, member: string): Promise<void>;
  /** Starts one member again inside its node, with its command line; nothing when it runs. */
  startMember(state: ClusterState, member: string): Promise<void>;
  /** Runs a command inside the node. */
  exec(state: ClusterState, node: string, command: string[]): Promise<ExecResult>;
  /** What the node's processes wrote. */
  logs(state: ClusterState, node: string): Promise<string>;
}

/** An operation a provider cannot do (e.g. a network disconnect without a network). */
export class ProviderUnsupportedError extends Error {
  readonly code = 'ProviderUnsupported';
  constructor(provider: ProviderName, operation: string, why: string) {
    super(`the ${provider} provider cannot ${operation}: ${why}`);
    this.name = 'ProviderUnsupportedError';
  }
}

/** The member by name, or a clear error naming the members there are. */
export function memberNamed(state: ClusterState, name: string): ClusterState['members'][number] {
  const member = state.members.find((m) => m.name === name);
  if (!member)
    throw new Error(
      `cluster "${state.name}" has no member "${name}"; its members: ${state.members.map((m) => m.name).join(', ')}`,
    );
  return member;
}

/** The node names of a cluster, for error messages and validation. */
export function nodeNames(state: ClusterState): string[] {
  return [...new Set(state.members.map((m) => m.node))];
}

/** The node's members, or a clear error naming the nodes there are. */
export function membersOf(state: ClusterState, node: string): ClusterState['members'] {
  const members = state.members.filter((m) => m.node === node);
  if (members.length === 0)
    throw new Error(
      `cluster "${state.name}" has no node "${node}"; its nodes: ${nodeNames(state).join(', ')}`,
    );
  return members;
}
