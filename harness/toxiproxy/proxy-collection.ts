import { toxiproxyErrors } from './api-errors.js';
import { Proxy } from './proxy.js';

/** The server's proxies by name: names are unique, and lists come sorted by name as Go sorts map keys. */
export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  get(name: string): Proxy | undefined {
    return this.proxies.get(name);
  }

  /** Every proxy, sorted by the bytes of its name. */
  list(): Proxy[] {
    return [...this.proxies.values()].sort((a, b) =>
      Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
    );
  }

  /** Adds a new proxy, started if `start`; a 409 if the name is taken, the listen error if it cannot start. */
  async add(proxy: Proxy, start: boolean): Promise<void> {
    if (this.proxies.has(proxy.name)) throw toxiproxyErrors.proxyAlreadyExists();
    if (start) await proxy.start();
    this.proxies.set(proxy.name, proxy);
  }

  /**
   * /populate's rule: a proxy of the same name and the same addresses is kept as it is (with its
   * toxics and connections); one with other addresses is stopped and replaced. Returns the proxy
   * now under that name.
   */
  async addOrReplace(proxy: Proxy, start: boolean): Promise<Proxy> {
    const existing = this.proxies.get(proxy.name);
    if (existing) {
      const differs = await existing.differs(proxy.listen, proxy.upstream).catch(() => true);
      if (!differs) return existing;
      // If the new one then fails to start, the old one stays listed, stopped — as in Toxiproxy.
      await existing.stop();
    }
    if (start) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /** Stops and removes the named proxy; false if there is none. */
  async remove(name: string): Promise<boolean> {
    const proxy = this.proxies.get(name);
    if (!proxy) return false;
    await proxy.stop();
    this.proxies.delete(name);
    return true;
  }

  /** Stops and removes every proxy. */
  async clear(): Promise<void> {
    for (const name of [...this.proxies.keys()]) await this.remove(name);
  }
}
