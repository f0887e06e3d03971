import type { Node, PodSpec, Taint } from './types.js';

/**
 * What marks the nodes of `orchestrator kubelet --simulated-nodes`, shared by the agent that runs
 * them, the controllers that must leave them alone, and the harness that places pods on them.
 */

/** The label every simulated node carries (`"true"`), as kwok's nodes carry `type: kwok`. */
export const SIMULATED_NODE_LABEL = 'crucible.dev/simulated';

/** The taint simulated nodes register with unless told otherwise, as kwok's nodes carry theirs. */
export const SIMULATED_NODE_TAINT: Taint = { key: SIMULATED_NODE_LABEL, value: 'true', effect: 'NoSchedule' };

/**
 * The user the simulated nodes' agent authenticates as. It speaks for many nodes with one
 * credential, so it is no node (not `system:node:<name>`, not in `system:nodes`): the Node
 * authorizer would confine it to one node. The apiserver's bootstrap RBAC policy grants this user
 * what the agent does for all its nodes.
 */
export const SIMULATED_NODES_USER = 'crucible:simulated-nodes';

/** A node with no process and no cloud instance behind it. */
export function isSimulatedNode(node: Node): boolean {
  return node.metadata.labels?.[SIMULATED_NODE_LABEL] === 'true';
}

/** The part of a pod spec that sends a pod to simulated nodes only, past their taint. */
export const ON_SIMULATED_NODES: Required<Pick<PodSpec, 'nodeSelector' | 'tolerations'>> = {
  nodeSelector: { [SIMULATED_NODE_LABEL]: 'true' },
  tolerations: [{ key: SIMULATED_NODE_LABEL, operator: 'Exists', effect: 'NoSchedule' }],
};
