import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  InformerFactory,
  systemTimers,
  type ApiClient,
  type Informer,
  type TimerScheduler,
} from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { Sabotages } from '../api/sabotage.js';
import type { Endpoints, Service } from '../api/types.js';
import { NetworkPolicyAgent, type NetworkPolicyEnforcement } from './network-policy-agent.js';
import { ProxyHealthServer } from './proxy-health-server.js';
import { ProxyMetrics } from './proxy-metrics.js';
import { ServicePortForwarder, type ForwardRoute } from './service-port-forwarder.js';
import { nodePortRoutes, readyTargets, type EndpointTarget, type NodePortRoute } from './service-routes.js';

const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const LOOPBACK = '127.0.0.1';
/** Bind addresses that already take connections to 127.0.0.1. */
const COVERS_LOOPBACK = new Set(['0.0.0.0', '::', LOOPBACK]);
/** A port that keeps failing to bind is reported again after this many more attempts. */
const REPORT_BIND_FAILURE_EVERY = 30;

export interface KubeProxyOptions {
  client: ApiClient;
  nodeName: string;
  /** Address the node ports listen on. A specific address other than 127.0.0.1 gets 127.0.0.1 too. */
  bindAddress: string;
  /** Port of /healthz and /metrics; 0 picks a free one. */
  healthzPort: number;
  /** Address of /healthz and /metrics. Default: bindAddress. */
  healthzBindAddress?: string;
  log: Logger;
  /** How long an endpoint gets to accept a connection before the next is tried. Default 1 s. */
  connectTimeoutMs?: number;
  /** Pause between attempts to bind a node port that could not be bound. Default 1 s. */
  bindRetryMs?: number;
  /** Informer resync period; 0 or absent: none. */
  resyncMs?: number;
  /** Runs bind retries and connect timeouts. Default: Node's timers. */
  timers?: TimerScheduler;
  /** Known bugs turned on (`--sabotage-*`, orchestrator/api/sabotage.ts); none by default. */
  sabotages?: Sabotages;
  /** Enforce NetworkPolicies for this node's pods (network-policy-agent.ts); off when absent. */
  networkPolicy?: NetworkPolicyEnforcement;
}

interface Listener {
  forwarder: ServicePortForwarder;
  /** The extra 127.0.0.1 listener, which another node's proxy on the same host may hold already. */
  loopback: boolean;
  failures: number;
  retry?: unknown;
}

/**
 * kube-proxy in userspace mode: for every TCP port of every NodePort or LoadBalancer Service it
 * listens on the node port and splices each connection to one of the Service's ready endpoints,
 * round robin, trying the next endpoint when one refuses or does not answer within the connect
 * timeout. Services and Endpoints come from informers, and nothing but a successful relist
 * replaces their caches, so while the apiserver is unreachable connections keep going to the
 * last known endpoints. A node port that cannot be bound is logged and retried, never fatal.
 * Serves /healthz (200 once the caches synced) and /metrics.
 */
export class KubeProxy {
  private readonly log: Logger;
  private readonly timers: TimerScheduler;
  private readonly informers: InformerFactory;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly metrics = new ProxyMetrics();
  private readonly health: ProxyHealthServer;
  private readonly policyAgent?: NetworkPolicyAgent;
  private readonly addresses: { address: string; loopback: boolean }[];
  private readonly listeners = new Map<string, Listener>();
  private readonly connections = new Set<Socket>();
  /** Endpoints objects are frozen and replaced on change, so their targets can be kept per object. */
  private readonly targetsByEndpoints = new WeakMap<Endpoints, Map<string, EndpointTarget[]>>();
  private readonly nextPick = new Map<string, number>();
  private routes = new Map<number, NodePortRoute>();
  private state: 'new' | 'running' | 'stopped' = 'new';
  private synced = false;
  private syncScheduled = false;
  private stopped?: Promise<void>;

  constructor(private readonly options: KubeProxyOptions) {
    this.log = options.log.child({ node: options.nodeName });
    this.timers = options.timers ?? systemTimers;
    this.informers = new InformerFactory(options.client, {
      resyncMs: options.resyncMs,
      onError: (e, source) =>
        this.log.warn(
          { source, err: e instanceof Error ? e.message : String(e) },
          'informer failed; forwarding from the cached endpoints',
        ),
    });
    this.services = this.informers.informer<Service>(SERVICES);
    this.endpoints = this.informers.informer<Endpoints>(ENDPOINTS);
    if (options.networkPolicy)
      this.policyAgent = new NetworkPolicyAgent({
        ...options.networkPolicy,
        nodeName: options.nodeName,
        informers: this.informers,
        log: this.log,
        timers: this.timers,
      });
    this.health = new ProxyHealthServer(
      () => this.state === 'running' && this.synced,
      this.metrics,
      this.policyAgent?.announceRoute(),
    );
    this.addresses = [{ address: options.bindAddress, loopback: false }];
    if (!COVERS_LOOPBACK.has(options.bindAddress)) this.addresses.push({ address: LOOPBACK, loopback: true });
  }

  /** Whether the Service and Endpoints caches have been filled once. */
  hasSynced(): boolean {
    return this.synced;
  }

  /**
   * Serves /healthz and /metrics, then starts watching; node ports open once the caches synced.
   * Resolves with the health port bound; rejects if it cannot be bound. Starts once.
   */
  async start(): Promise<{ healthzPort: number }> {
    if (this.state !== 'new') throw new RangeError(`KubeProxy cannot start: it is ${this.state}`);
    this.state = 'running';
    const healthzPort = await this.health.listen(
      this.options.healthzBindAddress ?? this.options.bindAddress,
      this.options.healthzPort,
    );
    if (this.state !== 'running') {
      await this.health.close();
      return { healthzPort };
    }
    const changed = () => this.scheduleSync();
    this.services.addHandlers({ add: changed, update: changed, delete: changed });
    this.policyAgent?.start();
    this.informers.start();
    void this.informers.waitForSync().then((synced) => {
      if (!synced || this.state !== 'running') return;
      this.synced = true;
      this.log.info({ services: this.services.keys().length }, 'caches synced');
      this.syncListeners();
    });
    return { healthzPort };
  }

  /** Closes every listener, cuts every forwarded connection and stops watching. Safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopped';
    for (const listener of this.listeners.values()) this.closeListener(listener);
    this.listeners.clear();
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    await this.health.close();
    this.policyAgent?.stop();
    await this.informers.stop();
  }

  /** Coalesces a burst of Service events into one pass. */
  private scheduleSync(): void {
    if (this.syncScheduled || !this.synced) return;
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      this.syncListeners();
    });
  }

  /** Makes the open listeners match the node ports of the cached Services. */
  private syncListeners(): void {
    if (this.state !== 'running') return;
    const routes = new Map<number, NodePortRoute>();
    const services = this.services.list().sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    for (const svc of services) {
      for (const route of nodePortRoutes(svc)) {
        const holder = routes.get(route.nodePort);
        if (holder) {
          this.log.warn(
            { nodePort: route.nodePort, service: route.service, holder: holder.service },
            'node port claimed twice; keeping the first claim',
          );
          continue;
        }
        routes.set(route.nodePort, route);
      }
    }
    this.routes = routes;
    const wanted = new Set<string>();
    for (const route of routes.values()) {
      for (const { address, loopback } of this.addresses) {
        const key = `${address}:${route.nodePort}`;
        wanted.add(key);
        if (!this.listeners.has(key)) this.openListener(key, address, route.nodePort, loopback);
      }
    }
    for (const [key, listener] of this.listeners) {
      if (wanted.has(key)) continue;
      this.listeners.delete(key);
      this.closeListener(listener);
      this.log.info(
        { address: listener.forwarder.address, nodePort: listener.forwarder.port },
        'node port closed',
      );
    }
    const live = new Set([...routes.values()].map(pickKey));
    for (const key of this.nextPick.keys()) if (!live.has(key)) this.nextPick.delete(key);
  }

  private openListener(key: string, address: string, port: number, loopback: boolean): void {
    const forwarder = new ServicePortForwarder({
      address,
      port,
      route: () => this.route(port),
      metrics: this.metrics,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 1000,
      connections: this.connections,
      timers: this.timers,
      ...(this.policyAgent ? { admit: this.policyAgent.admit.bind(this.policyAgent) } : {}),
      onConnectFailure: (route, target, e) =>
        this.log.debug(
          { service: route.service, endpoint: target.name, err: e.message },
          'endpoint unreachable; trying the next',
        ),
    });
    const listener: Listener = { forwarder, loopback, failures: 0 };
    this.listeners.set(key, listener);
    this.bind(key, listener);
  }

  private bind(key: string, listener: Listener): void {
    const { forwarder } = listener;
    const current = () => this.state === 'running' && this.listeners.get(key) === listener;
    forwarder.listen().then(
      () => {
        if (!current()) return;
        const service = this.routes.get(forwarder.port)?.service;
        this.log.info(
          {
            address: forwarder.address,
            nodePort: forwarder.port,
            service,
            failedAttempts: listener.failures,
          },
          'node port listening',
        );
      },
      (e: NodeJS.ErrnoException) => {
        if (!current()) return;
        listener.failures++;
        // On a shared host another node's proxy may own 127.0.0.1:port: expected, not news.
        const expected = listener.loopback && e.code === 'EADDRINUSE';
        const report = !expected && (listener.failures - 1) % REPORT_BIND_FAILURE_EVERY === 0;
        this.log[report ? 'warn' : 'debug'](
          {
            address: forwarder.address,
            nodePort: forwarder.port,
            err: e.code ?? e.message,
            attempts: listener.failures,
          },
          'cannot bind node port; retrying',
        );
        listener.retry = this.timers.setTimeout(() => {
          listener.retry = undefined;
          if (current()) this.bind(key, listener);
        }, this.options.bindRetryMs ?? 1000);
      },
    );
  }

  private closeListener(listener: Listener): void {
    if (listener.retry !== undefined) this.timers.clearTimeout(listener.retry);
    listener.retry = undefined;
    listener.forwarder.close();
  }

  /** The route of a new connection on `nodePort`, its candidates rotated for round robin. */
  private route(nodePort: number): ForwardRoute | undefined {
    const route = this.routes.get(nodePort);
    if (!route) return undefined;
    const targets = this.targetsOf(route);
    const forward = { service: route.service, portLabel: route.portLabel, candidates: targets };
    if (targets.length < 2) return forward;
    const key = pickKey(route);
    const pick = (this.nextPick.get(key) ?? 0) % targets.length;
    this.nextPick.set(key, (pick + 1) % targets.length);
    return { ...forward, candidates: [...targets.slice(pick), ...targets.slice(0, pick)] };
  }

  private targetsOf(route: NodePortRoute): EndpointTarget[] {
    const endpoints = this.endpoints.get(route.service);
    if (!endpoints) return [];
    let byPort = this.targetsByEndpoints.get(endpoints);
    if (!byPort) this.targetsByEndpoints.set(endpoints, (byPort = new Map()));
    const key = `${route.servicePort.name ?? ''}|${route.onlyPort}`;
    let targets = byPort.get(key);
    // SABOTAGE forward-to-unready-endpoints: the not-ready addresses are taken for ready ones.
    const unready = this.options.sabotages?.has('forward-to-unready-endpoints') ?? false;
    if (!targets)
      byPort.set(key, (targets = readyTargets(unready ? withUnreadyAsReady(endpoints) : endpoints, route)));
    return targets;
  }
}

/** The endpoints with every subset's not-ready addresses among its ready ones (a sabotage). */
function withUnreadyAsReady(endpoints: Endpoints): Endpoints {
  return {
    ...endpoints,
    subsets: (endpoints.subsets ?? []).map((s) => ({
      ...s,
      addresses: [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])],
    })),
  };
}

function keyOf(obj: Service): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

function pickKey(route: NodePortRoute): string {
  return `${route.service}:${route.portLabel}`;
}
