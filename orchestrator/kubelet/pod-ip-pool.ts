/** The host part of an address in a /24: .1 to .254. */
const FIRST_HOST = 1;
const LAST_HOST = 254;

/**
 * Pod addresses for simulated nodes: each node hands out .1–.254 of its own /24 (its podCIDR),
 * lowest free first, one address per pod uid. An address a pod already holds (given before a
 * restart of the simulator) is kept when it is still free, so Endpoints do not churn. A node with
 * more than 254 pods hands out addresses twice: nothing connects to a simulated pod anyway.
 */
export class PodIpPool {
  /** node → pod uid → host part. */
  private readonly byNode = new Map<string, Map<string, number>>();

  /** The address of pod `uid` on `node`, whose /24 is `podCidr` (e.g. 10.64.1.0/24). */
  assign(node: string, podCidr: string, uid: string, current?: string): string {
    const prefix = podCidr.slice(0, podCidr.lastIndexOf('.') + 1);
    let hosts = this.byNode.get(node);
    if (!hosts) this.byNode.set(node, (hosts = new Map()));
    const held = hosts.get(uid);
    if (held !== undefined) return prefix + held;
    const used = new Set(hosts.values());
    const currentHost = current?.startsWith(prefix) ? Number(current.slice(prefix.length)) : NaN;
    let host: number | undefined =
      Number.isInteger(currentHost) &&
      currentHost >= FIRST_HOST &&
      currentHost <= LAST_HOST &&
      !used.has(currentHost)
        ? currentHost
        : undefined;
    for (let h = FIRST_HOST; host === undefined && h <= LAST_HOST; h++) if (!used.has(h)) host = h;
    host ??= FIRST_HOST + (hosts.size % (LAST_HOST - FIRST_HOST + 1));
    hosts.set(uid, host);
    return prefix + host;
  }

  /** The pod is gone: its address is free again. */
  release(node: string, uid: string): void {
    const hosts = this.byNode.get(node);
    hosts?.delete(uid);
    if (hosts?.size === 0) this.byNode.delete(node);
  }
}
