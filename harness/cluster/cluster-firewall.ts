import { POD_UID_RANGE } from '../../orchestrator/api/pod-confinement.js';
import { KUBELET_PORT } from './cluster-plan.js';
import type { FirewallRule } from './iptables-rules.js';

/** Where pods may not go on one node, and whom the Toxiproxy API answers. */
export interface PodFirewallPlan {
  /** The apiservers pods reach (KUBERNETES_SERVICE_HOST): address and port each. */
  apiservers: { address: string; port: number }[];
  /** Addresses of the control plane (etcd, Toxiproxy, scheduler, controllers) pods may not reach at all. */
  controlPlane: string;
}

/**
 * The rules that close the control plane to pods, as a cluster's network policy and the kubelet's
 * authentication would upstream: a pod (a process of a user id in POD_UID_RANGE) reaches the
 * apiservers on their port, and nothing else of the control plane (etcd, Toxiproxy's API and its
 * links, the scheduler, the controllers) nor any kubelet. Each rule carries `comment`, which is how
 * they are found and removed again. Root's processes (kubelet, kube-proxy) are not matched.
 */
export function podFirewallRules(plan: PodFirewallPlan, comment: string): FirewallRule[] {
  const pods = ['-m', 'owner', '--uid-owner', `${POD_UID_RANGE.first}-${POD_UID_RANGE.last}`];
  const tagged = (chain: 'INPUT' | 'OUTPUT', ...args: string[]): FirewallRule => [
    chain,
    ...args,
    '-m',
    'comment',
    '--comment',
    comment,
  ];
  const destination = plan.controlPlane.includes('-') ? ['-m', 'iprange', '--dst-range'] : ['-d'];
  return [
    ...plan.apiservers.map(({ address, port }) =>
      tagged('OUTPUT', ...pods, '-d', address, '-p', 'tcp', '--dport', String(port), '-j', 'ACCEPT'),
    ),
    tagged('OUTPUT', ...pods, ...destination, plan.controlPlane, '-j', 'REJECT'),
    tagged('OUTPUT', ...pods, '-p', 'tcp', '--dport', String(KUBELET_PORT), '-j', 'REJECT'),
  ];
}

/**
 * Toxiproxy's API answers the harness only: inside the Toxiproxy container, connections to the API
 * port from anywhere but the network's gateway (where the host's published port comes in) are
 * refused, so no node of the cluster — and no pod — can cut or slow the cluster's links.
 */
export function harnessOnlyApiRules(apiPort: number, gateway: string, comment: string): FirewallRule[] {
  return [
    [
      'INPUT',
      '-p',
      'tcp',
      '--dport',
      String(apiPort),
      '!',
      '-s',
      gateway,
      '-m',
      'comment',
      '--comment',
      comment,
      '-j',
      'REJECT',
    ],
  ];
}
