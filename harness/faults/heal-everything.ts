import { createLinks } from '../cluster/cluster-boot.js';
import { nodeNames } from '../cluster/cluster-provider.js';
import type { FaultContext } from './fault.js';
import { toxiproxyOf } from './link-control.js';
import { removeCrucibleRules } from './netns-iptables.js';

/**
 * The final heal, whatever happened before: every Toxiproxy link enabled and without toxics
 * (`/reset`), every node unpaused, connected and running, every kubelet and kube-proxy running,
 * no iptables rule of the cluster left. Idempotent; what is already whole is left alone.
 */
export async function healEverything(ctx: FaultContext): Promise<void> {
  const { state, provider } = ctx;
  for (const node of nodeNames(state)) {
    await provider.unpause(state, node);
    if (state.provider === 'docker') await provider.connect(state, node);
    await provider.start(state, node);
    if (state.provider === 'docker') await removeCrucibleRules(state, node);
  }
  for (const member of state.members.filter((m) => m.role === 'kubelet' || m.role === 'kube-proxy'))
    await provider.startMember(state, member.name);
  // A restarted Toxiproxy has forgotten its proxies: create what is missing, then re-enable all
  // and drop every toxic.
  await createLinks(state.toxiproxy, state.links);
  await toxiproxyOf(state).reset();
}
