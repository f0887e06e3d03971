import { connect, createServer, type Server, type Socket } from 'node:net';
import { systemTimers, type TimerScheduler } from '../api/client/index.js';
import type { ProxyMetrics } from './proxy-metrics.js';
import type { EndpointTarget } from './service-routes.js';

/** Where one accepted connection goes. */
export interface ForwardRoute {
  /** `namespace/name` of the Service. */
  service: string;
  /** The Service port's label in metrics. */
  portLabel: string;
  /** Endpoints to try in this order: the first is the round-robin pick, the rest are fallbacks. */
  candidates: EndpointTarget[];
}

export interface ServicePortForwarderOptions {
  address: string;
  port: number;
  /**
   * The route of a connection, read when it is accepted, so endpoint changes apply to the next
   * connection without touching the listener. Undefined when the port serves no Service (any more).
   */
  route: () => ForwardRoute | undefined;
  metrics: ProxyMetrics;
  /** How long one endpoint gets to accept a connection before the next is tried. */
  connectTimeoutMs: number;
  /**
   * Every socket of every forwarded connection (client and endpoint sides) is added here while
   * open, so the owner can cut them all even after this forwarder stopped listening.
   */
  connections: Set<Socket>;
  /**
   * Which of a connection's candidates its client may reach (NetworkPolicy), in order; none: the
   * connection is reset. Default: all of them.
   */
  admit?: (client: Socket, candidates: EndpointTarget[]) => Promise<EndpointTarget[]>;
  /** Told of each endpoint that could not be reached. */
  onConnectFailure?: (route: ForwardRoute, target: EndpointTarget, error: Error) => void;
  /** Runs the connect timeout. Default: Node's timers. */
  timers?: TimerScheduler;
}

/**
 * One node-port listener: accepts TCP connections on `address:port` and splices each to an
 * endpoint of its route, trying the route's candidates in order until one accepts (refused,
 * reset or timed out moves on); when none does, the client's connection is closed. Bytes flow
 * both ways with half-close preserved, unchanged.
 */
export class ServicePortForwarder {
  private server?: Server;
  private closed = false;

  constructor(private readonly options: ServicePortForwarderOptions) {}

  get address(): string {
    return this.options.address;
  }

  get port(): number {
    return this.options.port;
  }

  /** Whether the listener is bound. */
  get listening(): boolean {
    return this.server !== undefined;
  }

  /**
   * Binds the listener. Rejects with the bind error (EADDRINUSE, EACCES, EADDRNOTAVAIL…) and leaves
   * nothing open; the caller decides whether to retry. Resolves without listening if `close()`
   * was called meanwhile.
   */
  listen(): Promise<void> {
    if (this.server || this.closed) return Promise.resolve();
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) =>
      this.accept(socket),
    );
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.address, () => {
        server.off('error', reject);
        // Errors of a bound server are accept failures (e.g. EMFILE): the next accept may work.
        server.on('error', () => undefined);
        if (this.closed) server.close();
        else this.server = server;
        resolve();
      });
    });
  }

  /** Stops accepting. Open connections go on until they end or their owner cuts them. Safe to call twice. */
  close(): void {
    this.closed = true;
    this.server?.close();
    this.server = undefined;
  }

  private accept(client: Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    const route = this.options.route();
    if (!route) return void client.destroy();
    this.options.metrics.connectionAccepted(route.service, route.portLabel);
    client.setNoDelay(true);
    void this.forward(client, route);
  }

  private async forward(client: Socket, route: ForwardRoute): Promise<void> {
    const candidates = this.options.admit
      ? await this.options.admit(client, route.candidates)
      : route.candidates;
    // Refused by policy (while there are endpoints): a reset, as a rejecting packet filter gives.
    if (candidates.length === 0 && route.candidates.length > 0) return void client.resetAndDestroy();
    for (const target of candidates) {
      if (client.destroyed) return;
      let upstream: Socket;
      try {
        upstream = await this.dial(target);
      } catch (e) {
        this.options.metrics.connectFailed(route.service, target.name);
        this.options.onConnectFailure?.(route, target, e as Error);
        continue;
      }
      if (client.destroyed) return void upstream.destroy();
      this.splice(client, upstream, route.service);
      return;
    }
    client.destroy();
  }

  private dial(target: EndpointTarget): Promise<Socket> {
    const timers = this.options.timers ?? systemTimers;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.ip, port: target.port, allowHalfOpen: true });
      this.track(socket);
      let settled = false;
      // Stays attached after a failure, so a late error of the destroyed socket goes nowhere.
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const onClose = () => fail(new Error('connection closed while connecting'));
      const timer = timers.setTimeout(
        () => fail(new Error(`no answer within ${this.options.connectTimeoutMs} ms`)),
        this.options.connectTimeoutMs,
      );
      socket.on('error', fail);
      socket.once('close', onClose);
      socket.once('connect', () => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(timer);
        socket.off('error', fail);
        socket.off('close', onClose);
        resolve(socket);
      });
    });
  }

  private splice(client: Socket, upstream: Socket, service: string): void {
    const { metrics } = this.options;
    const tally = metrics.forwardStarted(service);
    upstream.setNoDelay(true);
    upstream.on('error', () => upstream.destroy());
    client.on('data', (chunk: Buffer) => (tally.in += chunk.length));
    upstream.on('data', (chunk: Buffer) => (tally.out += chunk.length));
    // One side gone for good (both directions closed, reset or error): the other has nothing left to do.
    const end = () => {
      client.destroy();
      upstream.destroy();
      metrics.forwardEnded(tally);
    };
    client.once('close', end);
    upstream.once('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private track(socket: Socket): void {
    const { connections } = this.options;
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  }
}
