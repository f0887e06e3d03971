import { request } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tcpConnects } from '../api/tcp-connect.js';
import { type Backend, BackendPool, backendKey } from './backend-pool.js';

export interface TcpLoadBalancerOptions {
  /** Address and port to listen on. */
  host: string;
  port: number;
  backends: Backend[];
  /** How often every backend is health-checked by a TCP connect. */
  healthIntervalMs?: number;
  /**
   * Health-check each backend host by HTTP GET on this port and path (kube-proxy's /healthz on
   * 10256, as clouds' balancers do) instead of a TCP connect to the backend: a frozen node's kernel
   * still completes TCP handshakes, but its kube-proxy answers nothing. Any HTTP answer counts as
   * alive: kube-proxy's 503 means it lost the apiserver, and it keeps forwarding from its cache.
   */
  healthCheck?: { port: number; path: string };
  /** A connect (health check or forwarded) that takes longer fails. */
  connectTimeoutMs?: number;
  /** Told when a backend turns healthy or unhealthy. */
  onHealthChange?: (backend: Backend, healthy: boolean) => void;
}

/**
 * A TCP load balancer, as a cloud's network load balancer: each accepted connection is forwarded
 * to one healthy backend (round robin); a backend whose connect fails or times out is marked
 * unhealthy and the connection tries the next one, so a dead backend costs no client its
 * connection. Every backend is health-checked by a TCP connect each interval. stop() is safe to
 * call twice.
 */
export class TcpLoadBalancer {
  readonly pool: BackendPool;
  private server?: Server;
  private timer?: NodeJS.Timeout;
  private readonly sockets = new Set<Socket>();
  private readonly interval: number;
  private readonly connectTimeout: number;

  constructor(private readonly options: TcpLoadBalancerOptions) {
    this.pool = new BackendPool(options.backends);
    this.interval = options.healthIntervalMs ?? 500;
    this.connectTimeout = options.connectTimeoutMs ?? 400;
  }

  /** The port listened on (the one given, or the one the kernel chose for port 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await this.checkAll();
    const tick = () => {
      this.timer = setTimeout(() => void this.checkAll().finally(() => this.server && tick()), this.interval);
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async checkAll(): Promise<void> {
    await Promise.all(
      this.pool.backends.map(async (b) => {
        const ok = await this.probe(b);
        if (this.pool.record(b, ok)) this.options.onHealthChange?.(b, ok);
      }),
    );
  }

  private probe(b: Backend): Promise<boolean> {
    const check = this.options.healthCheck;
    if (check)
      return new Promise((resolve) => {
        const req = request({ host: b.host, port: check.port, path: check.path, agent: false }, (res) => {
          res.resume();
          resolve(true);
        });
        req.setTimeout(this.connectTimeout, () => req.destroy(new Error('timeout')));
        req.once('error', () => resolve(false));
        req.end();
      });
    return tcpConnects(b.host, b.port, this.connectTimeout);
  }

  private accept(client: Socket): void {
    this.track(client);
    client.pause();
    client.on('error', () => client.destroy());
    this.forward(client, new Set());
  }

  /** Connects to the next untried backend; on failure tries another until none is left. */
  private forward(client: Socket, tried: Set<string>): void {
    if (client.destroyed) return;
    const backend = this.pool.pick(tried);
    if (!backend) {
      client.destroy();
      return;
    }
    tried.add(backendKey(backend));
    const upstream = connect({ host: backend.host, port: backend.port });
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), this.connectTimeout);
    const failed = () => {
      clearTimeout(timer);
      upstream.destroy();
      if (this.pool.record(backend, false)) this.options.onHealthChange?.(backend, false);
      this.forward(client, tried);
    };
    upstream.once('error', failed);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.off('error', failed);
      this.track(upstream);
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
