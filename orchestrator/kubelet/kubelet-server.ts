import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { STATS_WINDOW_HEADER, type Summary } from '../api/stats-summary.js';
import type { KubeList, Pod } from '../api/types.js';
import type { ProbeKind, ProbeOutcome } from './probes.js';
import type { PodWorkerMetrics } from './pod-worker.js';

/** What the read-only server reads from its kubelet. */
export interface KubeletViewSource {
  /** Every pod this kubelet runs, with the status it sees itself (its truth, whatever the API holds). */
  pods(): Pod[];
  /** The log of a container of a pod this kubelet runs; undefined when there is no such container. */
  containerLogs(
    namespace: string,
    pod: string,
    container: string,
    tailLines?: number,
  ): Promise<string | undefined>;
  /**
   * The Summary API's view of the node and its pods' CPU and memory, and the window its CPU rates
   * were measured over (undefined before there is a rate).
   */
  statsSummary(): { summary: Summary; windowMs?: number };
}

/**
 * The kubelet's metrics, in a Registry of its own: running pods and containers (read at scrape
 * time), container restarts, probe results and node lease renewals.
 */
export class KubeletMetrics implements PodWorkerMetrics {
  readonly registry = new Registry();
  private readonly restarts: Counter<'namespace' | 'pod' | 'container'>;
  private readonly probes: Counter<'probe_type' | 'result'>;
  readonly leaseRenewals: Counter<'result'>;

  constructor(source: () => Pod[]) {
    const registers = [this.registry];
    const running = (pod: Pod) =>
      (pod.status?.containerStatuses ?? []).filter((c) => c.state?.running).length;
    new Gauge({
      name: 'kubelet_running_pods',
      help: 'Pods with at least one running container',
      registers,
      collect() {
        this.set(source().filter((pod) => running(pod) > 0).length);
      },
    });
    new Gauge({
      name: 'kubelet_running_containers',
      help: 'Running containers',
      registers,
      collect() {
        this.set(source().reduce((sum, pod) => sum + running(pod), 0));
      },
    });
    this.restarts = new Counter({
      name: 'kubelet_container_restarts_total',
      help: 'Container restarts by the kubelet (exits, failed liveness or startup probes)',
      labelNames: ['namespace', 'pod', 'container'],
      registers,
    });
    this.probes = new Counter({
      name: 'prober_probe_total',
      help: 'Probe results by probe type',
      labelNames: ['probe_type', 'result'],
      registers,
    });
    this.leaseRenewals = new Counter({
      name: 'kubelet_node_lease_renewals_total',
      help: 'Node lease renewal attempts by result',
      labelNames: ['result'],
      registers,
    });
  }

  containerRestarted(namespace: string, pod: string, container: string): void {
    this.restarts.inc({ namespace, pod, container });
  }

  probeResult(kind: ProbeKind, outcome: ProbeOutcome): void {
    this.probes.inc({ probe_type: kind, result: outcome === 'success' ? 'successful' : 'failed' });
  }
}

/**
 * The kubelet's read-only HTTP view of what runs on the node, the ground truth when the control
 * plane is down: `GET /healthz`, `/pods` (a v1 PodList, as the real kubelet serves it: each pod
 * with the status this kubelet sees, its containers' `containerID` `process://<pid>`, start time,
 * restarts, readiness and state), `/metrics`, `/containerLogs/<ns>/<pod>/<container>?tailLines=N`,
 * and `/stats/summary` (the Summary API: CPU and memory of the node, its pods and their containers,
 * with the window of the CPU rates in the STATS_WINDOW_HEADER header).
 */
export class KubeletServer {
  private server?: Server;

  constructor(
    private readonly source: KubeletViewSource,
    private readonly metrics: KubeletMetrics,
  ) {}

  /** Listens on `host:port` (0: a free port); resolves with the port. */
  async start(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => send(res, 500, 'text/plain', `${(e as Error).message}\n`));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'method not allowed\n');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz') return send(res, 200, 'text/plain', 'ok');
    if (path === '/pods') {
      const list: KubeList<Pod> = {
        apiVersion: 'v1',
        kind: 'PodList',
        metadata: {},
        items: this.source.pods(),
      };
      return send(res, 200, 'application/json', JSON.stringify(list));
    }
    if (path === '/stats/summary') {
      // Upstream's only_cpu_and_memory=true asks for what this summary holds anyway.
      const { summary, windowMs } = this.source.statsSummary();
      return send(
        res,
        200,
        'application/json',
        JSON.stringify(summary),
        windowMs !== undefined ? { [STATS_WINDOW_HEADER]: String(windowMs) } : {},
      );
    }
    if (path === '/metrics') {
      return send(res, 200, this.metrics.registry.contentType, await this.metrics.registry.metrics());
    }
    const logs = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
    if (logs) {
      const [ns, pod, container] = logs.slice(1).map(decodeURIComponent) as [string, string, string];
      const tailParam = url.searchParams.get('tailLines');
      const tail = tailParam === null ? undefined : Number(tailParam);
      if (tail !== undefined && (!Number.isInteger(tail) || tail < 0))
        return send(res, 400, 'text/plain', `tailLines: "${tailParam}" is not a whole number\n`);
      const text = await this.source.containerLogs(ns, pod, container, tail);
      if (text === undefined)
        return send(
          res,
          404,
          'text/plain',
          `container ${container} of pod ${ns}/${pod} is not on this node\n`,
        );
      return send(res, 200, 'text/plain; charset=utf-8', text);
    }
    send(res, 404, 'text/plain', 'not found\n');
  }
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
