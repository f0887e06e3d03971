/** A load balancer's backend: an address and port a TCP connection can be forwarded to. */
export interface Backend {
  host: string;
  port: number;
}

/** `host:port` of a backend. */
export function backendKey(b: Backend): string {
  return `${b.host}:${b.port}`;
}

/** Parses `ip:port,ip:port`; an empty list is allowed (a balancer with nowhere to send). */
export function parseBackends(list: string): Backend[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const colon = s.lastIndexOf(':');
      const port = Number(s.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535)
        throw new RangeError(`backend "${s}": expected host:port`);
      return { host: s.slice(0, colon), port };
    });
}

/**
 * The backends of a load balancer and what is known of their health: a backend is healthy until
 * `unhealthyAfter` health checks in a row failed (a failed forwarded connection counts as one), and
 * healthy again after one check succeeds. Selection is round robin over the healthy backends; a
 * connection whose connect fails asks for the next candidate it has not tried yet. When none is
 * healthy, every backend is a candidate: better to try than to refuse outright.
 */
export class BackendPool {
  private readonly failures = new Map<string, number>();
  private next = 0;

  constructor(
    readonly backends: readonly Backend[],
    private readonly unhealthyAfter = 1,
  ) {
    for (const b of backends) this.failures.set(backendKey(b), 0);
  }

  isHealthy(b: Backend): boolean {
    return (this.failures.get(backendKey(b)) ?? 0) < this.unhealthyAfter;
  }

  healthy(): Backend[] {
    return this.backends.filter((b) => this.isHealthy(b));
  }

  /** Records a health check's (or a forwarded connect's) outcome; returns whether health changed. */
  record(b: Backend, ok: boolean): boolean {
    const key = backendKey(b);
    if (!this.failures.has(key)) return false;
    const before = this.isHealthy(b);
    this.failures.set(key, ok ? 0 : (this.failures.get(key) ?? 0) + 1);
    return before !== this.isHealthy(b);
  }

  /**
   * The next backend to try for a connection that already tried `tried` (by key), or undefined
   * when every candidate was tried. Healthy backends in round-robin order come first.
   */
  pick(tried: ReadonlySet<string> = new Set()): Backend | undefined {
    const healthy = this.healthy();
    const candidates = (healthy.length ? healthy : this.backends).filter((b) => !tried.has(backendKey(b)));
    if (candidates.length === 0) {
      // The healthy ones all failed this connection: the ones marked dead are a last resort.
      return this.backends.find((b) => !tried.has(backendKey(b)));
    }
    const chosen = candidates[this.next % candidates.length]!;
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return chosen;
  }
}
