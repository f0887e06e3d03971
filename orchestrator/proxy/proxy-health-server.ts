import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProxyMetrics } from './proxy-metrics.js';

/** A POST route of the health server: requests whose path starts with `prefix` go to `handle`. */
export interface PostRoute {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * kube-proxy's health and metrics endpoint: `GET /healthz` answers 200 "ok" while `healthy()`
 * holds and 503 otherwise; `GET /metrics` answers the Prometheus text of `metrics`; a `post`
 * route (the NetworkPolicy agent's) takes the POSTs under its prefix.
 */
export class ProxyHealthServer {
  private server?: Server;

  constructor(
    private readonly healthy: () => boolean,
    private readonly metrics: ProxyMetrics,
    private readonly post?: PostRoute,
  ) {}

  /** Listens on `address:port` (0: a free port) and resolves with the port bound. */
  async listen(address: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'POST' && this.post && path.startsWith(this.post.prefix)) {
        this.post.handle(req, res);
      } else if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
      } else if (path === '/healthz') {
        const ok = this.healthy();
        res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not synced');
      } else if (path === '/metrics') {
        this.metrics.render().then(
          (text) => res.writeHead(200, { 'content-type': this.metrics.contentType }).end(text),
          (e: unknown) => res.writeHead(500).end(e instanceof Error ? e.message : String(e)),
        );
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and cuts open connections. Safe to call twice. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
