import { createHash } from 'node:crypto';

/**
 * A node's iptables chains for NetworkPolicy, as kube-proxy names them; shared with the harness's
 * reaper, which removes what a crashed run left.
 */
export interface PolicyChainNames {
  filter: string;
  nat: string;
  /** The comment on the two jumps from OUTPUT, which is how a reaper finds them. */
  comment: string;
}

/**
 * The chain names of `node` of cluster `owner`: `CRUCIBLE-NP-<owner hash>-<node hash>` in filter and
 * `CRUCIBLE-NPN-…` in nat (iptables allows 28 characters), so a reaper that knows only the cluster
 * can find every node's chains by prefix (`policyChainPrefixes`).
 */
export function policyChainNames(owner: string, node: string): PolicyChainNames {
  const tag = `${shortHash(owner)}-${shortHash(node)}`;
  return {
    filter: `CRUCIBLE-NP-${tag}`,
    nat: `CRUCIBLE-NPN-${tag}`,
    comment: `crucible-netpol:${owner}:${node}`,
  };
}

/** The prefixes of every chain `policyChainNames(owner, …)` makes (every owner's when none is given). */
export function policyChainPrefixes(owner?: string): { filter: string; nat: string } {
  const tag = owner === undefined ? '' : `${shortHash(owner)}-`;
  return { filter: `CRUCIBLE-NP-${tag}`, nat: `CRUCIBLE-NPN-${tag}` };
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}
