import { findResource } from '../../orchestrator/api/resources.js';
import type { Lease } from '../../orchestrator/api/types.js';
import { withAdminClient } from '../cluster/cluster-client.js';
import type { ClusterState } from '../cluster/cluster-state.js';

/** The Lease each leader-elected component holds, as upstream names it. */
const LEASES: Record<string, string> = {
  scheduler: 'kube-scheduler',
  'controller-manager': 'kube-controller-manager',
  'cloud-controller-manager': 'cloud-controller-manager',
};

/**
 * The node that holds a component's leader Lease (its identity is the node's name, e.g.
 * scheduler-1), read through the API like `kubectl get lease -n kube-system`.
 */
export async function leaderOf(state: ClusterState, component: string): Promise<string> {
  const lease = LEASES[component];
  if (!lease)
    throw new Error(`"${component}" has no leader; leaders exist for ${Object.keys(LEASES).join(', ')}`);
  return withAdminClient(state, async (client) => {
    const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
    const holder = (await client.get<Lease>(leases, 'kube-system', lease)).spec?.holderIdentity;
    if (!holder) throw new Error(`the ${lease} Lease has no holder yet`);
    return holder;
  });
}
