import { Counter, Gauge, Registry } from 'prom-client';

/** Bytes one connection has moved that the byte counter has not been told of yet. */
export interface ByteTally {
  /** Client → endpoint. */
  in: number;
  /** Endpoint → client. */
  out: number;
}

/**
 * kube-proxy's own metrics, in a registry of this proxy's own so that several proxies in one
 * process (tests) do not mix their counts. `service` labels are `namespace/name`. Bytes are summed
 * per connection in a plain tally (cheap per chunk) and added to the counter when the connection
 * ends or the metrics are read.
 */
export class ProxyMetrics {
  private readonly registry = new Registry();
  private readonly tallies = new Map<ByteTally, string>();
  private readonly connections = new Counter({
    name: 'kubeproxy_connections_total',
    help: 'Connections accepted on node ports, by Service and Service port.',
    labelNames: ['service', 'port'],
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: 'kubeproxy_bytes_total',
    help: 'Bytes forwarded, by Service and direction (in: client to endpoint; out: endpoint to client).',
    labelNames: ['service', 'direction'],
    registers: [this.registry],
    collect: () => {
      for (const [tally, service] of this.tallies) this.flush(tally, service);
    },
  });
  private readonly connectFailures = new Counter({
    name: 'kubeproxy_connect_failures_total',
    help: 'Failed connection attempts to an endpoint (refused, reset or timed out), by Service and endpoint.',
    labelNames: ['service', 'endpoint'],
    registers: [this.registry],
  });
  private readonly active = new Gauge({
    name: 'kubeproxy_active_connections',
    help: 'Connections currently forwarded, by Service.',
    labelNames: ['service'],
    registers: [this.registry],
  });

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts a connection accepted for a Service port. */
  connectionAccepted(service: string, port: string): void {
    this.connections.inc({ service, port });
  }

  connectFailed(service: string, endpoint: string): void {
    this.connectFailures.inc({ service, endpoint });
  }

  /**
   * Counts a connection as active and returns the tally its bytes go into; `forwardEnded` must be
   * called with that tally once the connection is over.
   */
  forwardStarted(service: string): ByteTally {
    const tally: ByteTally = { in: 0, out: 0 };
    this.tallies.set(tally, service);
    this.active.inc({ service });
    return tally;
  }

  forwardEnded(tally: ByteTally): void {
    const service = this.tallies.get(tally);
    if (service === undefined) return;
    this.tallies.delete(tally);
    this.flush(tally, service);
    this.active.dec({ service });
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private flush(tally: ByteTally, service: string): void {
    if (tally.in > 0) this.bytes.inc({ service, direction: 'in' }, tally.in);
    if (tally.out > 0) this.bytes.inc({ service, direction: 'out' }, tally.out);
    tally.in = tally.out = 0;
  }
}
