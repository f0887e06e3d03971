import type { NetworkPolicyVerdicts, PolicyPort, PolicySubject } from '../api/network-policy-verdict.js';

/** A pod whose ports others may connect to: its address and each port as served on the node. */
export interface PolicyDestination {
  /** `namespace/name`. */
  key: string;
  subject: PolicySubject;
  ip: string;
  ports: (PolicyPort & { hostPort: number })[];
}

/** A pod of this node: the user id its processes run as is how its packets are told apart. */
export interface PolicySource {
  key: string;
  subject: PolicySubject;
  uid: number;
}

export interface NodePolicyRules {
  /** The chains this node's rules live in, in the filter and the nat table. */
  chains: { filter: string; nat: string };
  /** The node's own address: where its pods' connections to a node port are sent (its own kube-proxy). */
  nodeIp: string;
  sources: readonly PolicySource[];
  destinations: readonly PolicyDestination[];
  /** Every node port of the cluster's Services. */
  nodePorts: readonly number[];
  verdicts: NetworkPolicyVerdicts;
}

/**
 * The iptables-restore input (for `--noflush`) that enforces the cluster's NetworkPolicies for the
 * connections this node's pods open, as a policy agent of a network plugin would. Every pod's
 * packets leave through OUTPUT as its own user id, and every pod's port is its node's address and a
 * port of the node, so the client's node can judge both ends:
 * - filter: for each local pod and each other pod's port that the client's egress or the server's
 *   ingress isolates, RETURN (allowed: OUTPUT's other rules still apply, such as the pod firewall)
 *   or REJECT; then, for an egress-isolated pod, RETURN for node ports (kube-proxy judges those
 *   by the endpoint it picks) and its ipBlock rules, and REJECT for the rest;
 * - nat: a pod's connection to any node port goes to its own node's kube-proxy, which can tell
 *   which pod opened it (the socket's owner) and so picks only endpoints the policies allow.
 * Replies of connections already allowed pass first. Declaring a chain flushes it, so applying the
 * text replaces the node's previous rules in one step.
 *
 * Pods have IPv4 addresses only, but a pod's program may listen on `::` and so be reached over
 * IPv6 loopback, past the IPv4 rules: while any policy isolates a pod for ingress, or this pod for
 * egress, this pod's IPv6 connections are rejected (`ipv6`, for ip6tables-restore).
 *
 * A pod is known by its user id once the kubelet announced it or its status says so; one not yet
 * known gets what the last rules give unknown pods (below), never more than a known pod would.
 */
export function nodePolicyRules(plan: NodePolicyRules): { ipv4: string; ipv6: string } {
  const { chains, verdicts } = plan;
  const filter = [`:${chains.filter} - [0:0]`];
  const ipv6 = [`:${chains.filter} - [0:0]`];
  const rule = (lines: string[], ...args: string[]) =>
    lines.push(['-A', chains.filter, ...args.filter(Boolean)].join(' '));
  const replies = '-m conntrack --ctstate ESTABLISHED,RELATED -j RETURN';
  rule(filter, replies);
  rule(ipv6, replies);
  if (!verdicts.empty) {
    const isolated = plan.destinations.filter((d) => verdicts.isolated(d.subject, 'Ingress'));
    const anyEgress = verdicts.isolatesEgress;
    for (const source of plan.sources) {
      const owner = `-m owner --uid-owner ${source.uid}`;
      const egressIsolated = verdicts.isolated(source.subject, 'Egress');
      for (const destination of plan.destinations) {
        if (!egressIsolated && !verdicts.isolated(destination.subject, 'Ingress')) continue;
        const self = destination.key === source.key;
        for (const port of destination.ports)
          rule(
            filter,
            owner,
            `-d ${destination.ip}/32 -p ${port.protocol.toLowerCase()} --dport ${port.hostPort}`,
            self || verdicts.allows(source.subject, destination.subject, port) ? '-j RETURN' : '-j REJECT',
          );
      }
      if (egressIsolated) {
        for (const nodePort of plan.nodePorts) rule(filter, owner, `-p tcp --dport ${nodePort} -j RETURN`);
        for (const allowance of verdicts.addressAllowances(source.subject) ?? []) {
          const destinations = allowance.cidrs?.map((c) => `-d ${c}`) ?? [''];
          const ports = allowance.ports?.map(
            (p) => `-p ${p.protocol.toLowerCase()} --dport ${p.from === p.to ? p.from : `${p.from}:${p.to}`}`,
          ) ?? [''];
          for (const d of destinations) for (const p of ports) rule(filter, owner, d, p, '-j RETURN');
        }
        rule(filter, owner, '-j REJECT');
      } else if (anyEgress) rule(filter, owner, '-j RETURN'); // known: not the unknown pods' rule below
      rule(ipv6, owner, egressIsolated || isolated.length > 0 ? '-j REJECT' : '-j RETURN');
    }
    // A pod the rules do not know yet (it started while this agent was away, or before the kubelet
    // could tell it): none of an isolated pod's ports, and nothing at all while any policy isolates
    // egress, until the agent knows who it is.
    if (anyEgress) rule(filter, '-j REJECT');
    else
      for (const destination of isolated)
        for (const port of destination.ports)
          rule(
            filter,
            `-d ${destination.ip}/32 -p ${port.protocol.toLowerCase()} --dport ${port.hostPort}`,
            '-j REJECT',
          );
    if (anyEgress || isolated.length > 0) rule(ipv6, '-j REJECT');
  }
  const nat = [`:${chains.nat} - [0:0]`];
  for (const nodePort of plan.nodePorts)
    nat.push(`-A ${chains.nat} -p tcp --dport ${nodePort} -j DNAT --to-destination ${plan.nodeIp}`);
  return {
    ipv4: ['*filter', ...filter, 'COMMIT', '*nat', ...nat, 'COMMIT', ''].join('\n'),
    ipv6: ['*filter', ...ipv6, 'COMMIT', ''].join('\n'),
  };
}
