import { connect, type Server, type Socket } from 'node:net';
import { listenTcp, resolveTcpAddress, splitHostPort } from './listen-address.js';
import { ProxyConnection } from './proxy-connection.js';
import { ToxicCollection } from './toxic-collection.js';

/** The fields of a proxy a client may change (POST /proxies/{name}). */
export interface ProxyChange {
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

/**
 * A named TCP proxy: a listener on `listen` and, for each accepted client, a connection to
 * `upstream` with the proxy's toxics in between. Disabled, it does not listen and has no
 * connections; enabling it listens again on the same address (the port chosen for port 0 is kept).
 */
export class Proxy {
  readonly toxics: ToxicCollection;
  private listener: Server | undefined;
  private readonly connections = new Set<ProxyConnection>();
  private readonly dialing = new Set<Socket>();
  private enabledNow = false;

  constructor(
    readonly name: string,
    private listenAddress: string,
    private upstreamAddress: string,
    random: () => number,
  ) {
    this.toxics = new ToxicCollection(random);
  }

  /** As configured, or — once started — as bound, e.g. "127.0.0.1:41234" for "localhost:0". */
  get listen(): string {
    return this.listenAddress;
  }

  get upstream(): string {
    return this.upstreamAddress;
  }

  get enabled(): boolean {
    return this.enabledNow;
  }

  /** Listens; does nothing if already enabled. Throws ListenError (Go's message) if it cannot. */
  async start(): Promise<void> {
    if (this.enabledNow) return;
    const bound = await listenTcp(this.listenAddress, (client) => this.accept(client));
    this.listener = bound.server;
    this.listenAddress = bound.address;
    this.enabledNow = true;
  }

  /** Stops listening and closes every connection; safe to call when already stopped. */
  async stop(): Promise<void> {
    if (!this.enabledNow) return;
    this.enabledNow = false;
    const listener = this.listener;
    this.listener = undefined;
    const closed = new Promise<void>((resolve) => listener?.close(() => resolve()) ?? resolve());
    for (const connection of this.connections) connection.destroy();
    for (const client of this.dialing) client.destroy();
    await closed;
  }

  /**
   * Whether `listen` and `upstream` describe another proxy than this one. The listen address is
   * compared resolved, so "localhost:8080" is the same as "127.0.0.1:8080" (Toxiproxy's Differs).
   */
  async differs(listen: string, upstream: string): Promise<boolean> {
    return this.listenAddress !== (await resolveTcpAddress(listen)) || this.upstreamAddress !== upstream;
  }

  /** Applies a change: a new address restarts the proxy (closing its connections); then enables or disables. */
  async update(change: ProxyChange): Promise<void> {
    if (await this.differs(change.listen, change.upstream)) {
      await this.stop();
      this.listenAddress = change.listen;
      this.upstreamAddress = change.upstream;
    }
    if (change.enabled && !this.enabledNow) await this.start();
    if (!change.enabled) await this.stop();
  }

  private accept(client: Socket): void {
    // Errors also surface as 'close', which is what the links act on.
    client.on('error', () => {});
    if (!this.enabledNow) return void client.destroy();
    let target: { host: string; port: number };
    try {
      const { host, port } = splitHostPort(this.upstreamAddress);
      target = { host: host || 'localhost', port: Number(port) };
    } catch {
      return void client.destroy();
    }
    tune(client);
    this.dialing.add(client);
    const upstream = connect({ ...target, allowHalfOpen: true });
    upstream.on('error', () => {});
    upstream.once('close', () => this.dialing.delete(client));
    upstream.once('error', () => client.destroy());
    upstream.once('connect', () => {
      this.dialing.delete(client);
      if (client.destroyed || !this.enabledNow) {
        upstream.destroy();
        client.destroy();
        return;
      }
      tune(upstream);
      const connection: ProxyConnection = new ProxyConnection(client, upstream, () =>
        this.connections.delete(connection),
      );
      this.connections.add(connection);
      connection.start(this.toxics);
    });
  }
}

/** Go's defaults for TCP connections: no Nagle delay, keepalive probes after 15 s. */
function tune(socket: Socket): void {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 15_000);
}
