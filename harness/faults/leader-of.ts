import { findResource } from '../../orchestrator/api/resources.js';
import type { Lease } from '../../orchestrator/api/types.js';
import { type RunningCluster, withAdminClient } from '../cluster/index.js';
import { etcdLeaderOf } from './etcd-leader.js';
import { FaultError } from './fault-error.js';

/** The Lease each leader-elected component holds, as upstream names it. */
const LEASES: Readonly<Record<string, string>> = {
  scheduler: 'kube-scheduler',
  'controller-manager': 'kube-controller-manager',
  'cloud-controller-manager': 'cloud-controller-manager',
};

/** The components whose leader crucible can find: etcd's Raft leader, and the Leases' holders. */
const LEADER_ELECTED = ['etcd', ...Object.keys(LEASES)];

/** Why `component` has no leader to pick, or undefined when it has one. */
export function noLeaderProblem(component: string): string | undefined {
  if (LEADER_ELECTED.includes(component)) return undefined;
  return `${component} has no leader to pick (${LEADER_ELECTED.join(', ')} have one)`;
}

/**
 * The node that leads a component: etcd's Raft leader as its members say, or the holder of the
 * component's leader Lease (its identity is the node's name, e.g. scheduler-1), read through the
 * API like `kubectl get lease -n kube-system`.
 */
export async function leaderOf(cluster: RunningCluster, component: string): Promise<string> {
  const problem = noLeaderProblem(component);
  if (problem) throw new FaultError('NoSuchTarget', problem);
  if (component === 'etcd') return etcdLeaderOf(cluster);
  const lease = LEASES[component]!;
  return withAdminClient(cluster, async (client) => {
    const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
    const holder = (await client.get<Lease>(leases, 'kube-system', lease)).spec?.holderIdentity;
    if (!holder) throw new FaultError('NoLeader', `the ${lease} Lease has no holder yet`);
    return holder;
  });
}
