import { findResource } from '../../orchestrator/api/resources.js';
import type { Lease } from '../../orchestrator/api/types.js';
import { type RunningCluster, withAdminClient } from '../cluster/index.js';
import { FaultError } from './fault-error.js';

/** The Lease each leader-elected component holds, as upstream names it. */
const LEASES: Readonly<Record<string, string>> = {
  scheduler: 'kube-scheduler',
  'controller-manager': 'kube-controller-manager',
  'cloud-controller-manager': 'cloud-controller-manager',
};

/** The components whose leader crucible can find. */
export const LEADER_ELECTED = Object.keys(LEASES);

/**
 * The node that holds a component's leader Lease (its identity is the node's name, e.g.
 * scheduler-1), read through the API like `kubectl get lease -n kube-system`.
 */
export async function leaderOf(cluster: RunningCluster, component: string): Promise<string> {
  const lease = LEASES[component];
  if (!lease)
    throw new FaultError(
      'NoSuchTarget',
      `"${component}" has no leader; leaders exist for ${Object.keys(LEASES).join(', ')}`,
    );
  return withAdminClient(cluster, async (client) => {
    const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
    const holder = (await client.get<Lease>(leases, 'kube-system', lease)).spec?.holderIdentity;
    if (!holder) throw new FaultError('NoLeader', `the ${lease} Lease has no holder yet`);
    return holder;
  });
}
