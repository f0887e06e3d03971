import { Counter, Histogram, Registry } from 'prom-client';

/**
 * kube-apiserver's request metrics under their upstream names, in a registry of this server's
 * own so that several apiservers in one process (tests) do not mix their counts.
 */
export class ApiMetrics {
  private readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out by verb, resource and HTTP response code.',
    labelNames: ['verb', 'resource', 'code'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds by verb, resource and HTTP response code.',
    labelNames: ['verb', 'resource', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  get contentType(): string {
    return this.registry.contentType;
  }

  observe(verb: string, resource: string, code: number, seconds: number): void {
    const labels = { verb: verb.toUpperCase(), resource, code: String(code) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
