import { createLinks, nodeNames } from '../cluster/index.js';
import type { FaultContext } from './fault.js';
import { toxiproxyOf } from './link-control.js';

/**
 * The final heal, whatever happened before: every node restored by its provider (unpaused,
 * connected, running, no packet filter rule left), every kubelet and kube-proxy running, every
 * Toxiproxy link enabled and without toxics (`/reset`), where the cluster has them. Idempotent; what is already whole is left
 * alone.
 */
export async function healEverything({ cluster }: FaultContext): Promise<void> {
  for (const node of nodeNames(cluster.record)) await cluster.restore(node);
  for (const member of cluster.record.members.filter((m) => m.role === 'kubelet' || m.role === 'kube-proxy'))
    await cluster.startMember(member.name);
  // A restarted Toxiproxy has forgotten its proxies: create what is missing, then re-enable all
  // and drop every toxic. An existing cluster's components talk directly: no links.
  if (!cluster.features.has('control-plane-links')) return;
  await createLinks(cluster.record.toxiproxy, cluster.record.links);
  await toxiproxyOf(cluster.record).reset();
}
