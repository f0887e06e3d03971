import type { LoadBalancerNode } from './cloud-provider.js';

/** What one load balancer does: listen on `address` at each port, forward to the node port on every backend host. */
export interface LoadBalancerConfig {
  address: string;
  ports: { port: number; nodePort: number }[];
  backends: string[];
}

/** The argv of `orchestrator load-balancer` for a config, listening on `listenAddress`. */
export function loadBalancerArgs(config: LoadBalancerConfig, listenAddress: string): string[] {
  return [
    'load-balancer',
    `--bind-address=${listenAddress}`,
    `--ports=${config.ports.map((p) => `${p.port}:${p.nodePort}`).join(',')}`,
    `--backends=${config.backends.join(',')}`,
    // kube-proxy's health port on every worker, as clouds' balancers check it.
    '--health-check-port=10256',
  ];
}

/**
 * Whether a running balancer can stay as it is: same ports, and every wanted backend already in
 * it. Backends of nodes that went away are left in: the balancer's health checks skip them, and
 * replacing the balancer would drop every client connection just when a node was lost.
 */
export function balancerCovers(
  current: LoadBalancerConfig,
  ports: LoadBalancerConfig['ports'],
  nodes: LoadBalancerNode[],
): boolean {
  const key = (ps: LoadBalancerConfig['ports']) => JSON.stringify([...ps].sort((a, b) => a.port - b.port));
  return key(current.ports) === key(ports) && nodes.every((n) => current.backends.includes(n.address));
}

/** The backends of a new or replaced balancer: the nodes' addresses, plus the old ones it had. */
export function mergedBackends(current: LoadBalancerConfig | undefined, nodes: LoadBalancerNode[]): string[] {
  return [...new Set([...(current?.backends ?? []), ...nodes.map((n) => n.address)])].sort();
}

/**
 * Host addresses for load balancers, `127.0.5.200-127.0.5.253`: the last octet ranges, the first
 * three are fixed. Every balancer gets an address of its own, so it can take the Service's port.
 */
export function parseAddressRange(range: string): string[] {
  const m = /^(\d+\.\d+\.\d+\.)(\d+)-(?:\d+\.\d+\.\d+\.)?(\d+)$/.exec(range.trim());
  if (!m || Number(m[2]) > Number(m[3]) || Number(m[3]) > 254)
    throw new RangeError(`load balancer address range "${range}": expected a.b.c.first-a.b.c.last`);
  return Array.from({ length: Number(m[3]) - Number(m[2]) + 1 }, (_, i) => `${m[1]}${Number(m[2]) + i}`);
}

/** The first address of `range` no balancer uses. */
export function freeAddress(range: string[], used: Iterable<string>): string {
  const taken = new Set(used);
  const free = range.find((a) => !taken.has(a));
  if (!free) throw new RangeError(`no free load balancer address: all ${range.length} are in use`);
  return free;
}
