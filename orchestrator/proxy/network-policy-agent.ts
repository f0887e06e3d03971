import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  systemTimers,
  type Informer,
  type InformerFactory,
  type TimerScheduler,
} from '../api/client/index.js';
import { NetworkPolicyVerdicts, type PolicySubject } from '../api/network-policy-verdict.js';
import { findResource } from '../api/resources.js';
import type { Namespace, NetworkPolicy, Pod, Service } from '../api/types.js';
import type { PostRoute } from './proxy-health-server.js';
import { nodePolicyRules, type PolicyDestination, type PolicySource } from './network-policy-rules.js';
import { policyChainNames } from '../api/network-policy-chains.js';
import { PolicyChains, type ProgramRunner } from './policy-chains.js';
import { nodePortRoutes, type EndpointTarget } from './service-routes.js';
import { localSocketOwner, type SocketTableReader } from './socket-owner.js';

const PODS = findResource('', 'v1', 'pods')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICES = findResource('', 'v1', 'services')!;
const NETWORK_POLICIES = findResource('networking.k8s.io', 'v1', 'networkpolicies')!;
/** Events within this long of each other are applied as one rule set. */
const SETTLE_MS = 50;
/** A failed iptables-restore is tried again this much later. */
const RETRY_MS = 2000;

/** What one pass of the agent judged by (empty without policies). */
interface PolicyPass {
  verdicts: NetworkPolicyVerdicts;
  sources: PolicySource[];
  destinationsByAddress: Map<
    string,
    { destination: PolicyDestination; port: PolicyDestination['ports'][number] }
  >;
}

export interface NetworkPolicyEnforcement {
  /** Names this cluster's chains, so a reaper can find them (the cluster's name). */
  owner: string;
  /** The node's address: where its pods' node-port connections are sent (this kube-proxy). */
  nodeIp: string;
  /** The user ids of this node's pods (the kubelet's --pod-uid-range). */
  podUids: { first: number; last: number };
}

export interface NetworkPolicyAgentOptions extends NetworkPolicyEnforcement {
  nodeName: string;
  informers: InformerFactory;
  log: Logger;
  timers?: TimerScheduler;
  /** Runs iptables; default: the programs on PATH. */
  runner?: ProgramRunner;
  /** Reads the kernel's socket tables; default: /proc/net. */
  socketTables?: SocketTableReader;
}

/**
 * The NetworkPolicy half of a node's network agent, as kube-router runs beside its proxy: it
 * watches policies, pods, namespaces and Services, and keeps the node's iptables chains
 * (network-policy-rules.ts) equal to what they say for the connections this node's pods open.
 * Connections through a node port are judged here too (`admit`): kube-proxy asks which of a
 * Service's endpoints the connecting pod may reach, the pod being told apart by the user id that
 * owns the client socket. Clients that are not pods of this node (the node's own processes, the
 * host, load balancers) are not subject to policies, as node-to-pod traffic is not upstream.
 */
export class NetworkPolicyAgent {
  private readonly log: Logger;
  private readonly timers: TimerScheduler;
  private readonly pods: Informer<Pod>;
  private readonly namespaces: Informer<Namespace>;
  private readonly services: Informer<Service>;
  private readonly policies: Informer<NetworkPolicy>;
  private readonly chains: PolicyChains;
  /** What the last pass judged by, whole: `admit` reads it instead of every pod per connection. */
  private pass: PolicyPass = {
    verdicts: new NetworkPolicyVerdicts([], () => undefined),
    sources: [],
    destinationsByAddress: new Map(),
  };
  private applied?: string;
  /** Pods the kubelet announced (`namespace/name` → user id) before their status says so. */
  private readonly announced = new Map<string, number>();
  /** Announcements waiting for rules that know their pod. */
  private waiting: { key: string; resolve: () => void }[] = [];
  private timer?: unknown;
  private running = false;
  private syncing?: Promise<void>;
  private syncAgain = false;

  constructor(private readonly options: NetworkPolicyAgentOptions) {
    this.log = options.log.child({ component: 'network-policy' });
    this.timers = options.timers ?? systemTimers;
    this.pods = options.informers.informer<Pod>(PODS);
    this.namespaces = options.informers.informer<Namespace>(NAMESPACES);
    this.services = options.informers.informer<Service>(SERVICES);
    this.policies = options.informers.informer<NetworkPolicy>(NETWORK_POLICIES);
    const { first, last } = options.podUids;
    this.chains = new PolicyChains(
      policyChainNames(options.owner, options.nodeName),
      `${first}-${last}`,
      options.runner,
    );
  }

  /** Starts following the informers (the caller starts the factory); rules are applied once they synced. */
  start(): void {
    this.running = true;
    const changed = () => this.schedule(SETTLE_MS);
    for (const informer of [this.pods, this.namespaces, this.services, this.policies])
      informer.addHandlers({ add: changed, update: changed, delete: changed });
    void this.options.informers.waitForSync().then((synced) => synced && this.schedule(0));
  }

  /**
   * Stops following changes. The node's chains stay, as a network plugin's rules outlive its agent:
   * a stopped or restarting kube-proxy must not open the node's pods to everyone. They go with the
   * node (its network namespace on docker; `crucible down` and the reaper on the process provider).
   */
  stop(): void {
    this.running = false;
    if (this.timer) this.timers.clearTimeout(this.timer);
  }

  /**
   * The endpoints of `candidates` the client of `socket` may reach, in the same order: all of them
   * when no policy exists or the client is not one of this node's pods.
   */
  async admit(socket: Socket, candidates: EndpointTarget[]): Promise<EndpointTarget[]> {
    if (this.pass.verdicts.empty || !socket.remoteAddress || !socket.remotePort) return candidates;
    const uid = await localSocketOwner(socket.remoteAddress, socket.remotePort, this.options.socketTables);
    const { first, last } = this.options.podUids;
    if (uid === undefined || uid < first || uid > last) return candidates;
    // One pass, read after the wait, so that verdicts, sources and destinations agree.
    const { verdicts, sources, destinationsByAddress } = this.pass;
    if (verdicts.empty) return candidates;
    const source = sources.find((p) => p.uid === uid);
    // A pod's user the last pass did not know yet: refuse rather than let an isolated pod through.
    if (!source) return [];
    return candidates.filter((target) => {
      const found = destinationsByAddress.get(`${target.ip}:${target.port}`);
      if (!found) return !verdicts.isolated(source.subject, 'Egress');
      return verdicts.allows(
        source.subject,
        found.destination.subject,
        found.port,
        found.destination.key === source.key,
      );
    });
  }

  /**
   * `POST /network-policy/pods/<namespace>/<name>?uid=<uid>`: the kubelet tells which user a pod
   * is about to run as (kubelet/policy-agent-client.ts); 204 once the node's rules know the pod.
   * Only root's sockets are heard: a pod claiming another pod's user would take its rights.
   */
  announceRoute(): PostRoute {
    const prefix = '/network-policy/pods/';
    return {
      prefix,
      handle: (req, res) => {
        const url = new URL(req.url ?? '/', 'http://agent');
        const [namespace, name] = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
        const uid = Number(url.searchParams.get('uid'));
        if (!namespace || !name || !Number.isInteger(uid) || uid < 0)
          return void res.writeHead(400).end('want /network-policy/pods/<namespace>/<name>?uid=<uid>\n');
        void localSocketOwner(
          req.socket.remoteAddress ?? '',
          req.socket.remotePort ?? 0,
          this.options.socketTables,
        )
          .then((owner) => {
            if (owner !== 0) return void res.writeHead(403).end('only root may announce a pod\n');
            return this.announce(`${namespace}/${name}`, uid).then(() => res.writeHead(204).end());
          })
          .catch((e: Error) => res.writeHead(500).end(`${e.message}\n`));
      },
    };
  }

  /** Resolves once the node's rules were applied with pod `key` running as `uid`. */
  private announce(key: string, uid: number): Promise<void> {
    this.announced.set(key, uid);
    return new Promise((resolve) => {
      this.waiting.push({ key, resolve });
      this.schedule(0);
    });
  }

  private schedule(delayMs: number): void {
    if (!this.running || this.timer) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.runSync();
    }, delayMs);
  }

  /** One pass at a time: an older rule set must never land after a newer one. */
  private runSync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = this.sync().finally(() => {
      this.syncing = undefined;
      if (this.syncAgain) {
        this.syncAgain = false;
        this.schedule(0);
      }
    });
  }

  private async sync(): Promise<void> {
    if (!this.running || !this.pods.hasSynced() || !this.policies.hasSynced()) return;
    // Announced pods the informer no longer has (deleted) are forgotten.
    for (const key of this.announced.keys()) if (!this.pods.get(key)) this.announced.delete(key);
    const labels = new Map(this.namespaces.list().map((ns) => [ns.metadata.name!, ns.metadata.labels ?? {}]));
    const verdicts = new NetworkPolicyVerdicts(this.policies.list(), (name) => labels.get(name));
    const nodePorts = [
      ...new Set(this.services.list().flatMap((svc) => nodePortRoutes(svc).map((r) => r.nodePort))),
    ];
    // Without a policy nothing is judged: spare the pass over every pod of the cluster.
    const sources = verdicts.empty ? [] : this.localPods();
    const destinations = verdicts.empty ? [] : this.destinations();
    this.pass = {
      verdicts,
      sources,
      destinationsByAddress: new Map(
        destinations.flatMap((destination) =>
          destination.ports.map(
            (port) => [`${destination.ip}:${port.hostPort}`, { destination, port }] as const,
          ),
        ),
      ),
    };
    const rules = nodePolicyRules({
      chains: policyChainNames(this.options.owner, this.options.nodeName),
      nodeIp: this.options.nodeIp,
      sources,
      destinations,
      nodePorts: nodePorts.sort((a, b) => a - b),
      verdicts,
    });
    const text = rules.ipv4 + rules.ipv6;
    try {
      if (text !== this.applied) {
        await this.chains.apply(rules);
        this.log.info(
          { rules: text.split('\n').filter((l) => l.startsWith('-A')).length },
          'network policy rules applied',
        );
      }
      this.applied = text;
      this.release();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'could not apply the network policy rules; retrying');
      this.schedule(RETRY_MS);
    }
  }

  /** Announcements whose pod the informer has: the rules just applied know it. The others wait for it. */
  private release(): void {
    const known = (key: string) => this.pods.get(key) !== undefined;
    for (const w of this.waiting.filter((w) => known(w.key))) w.resolve();
    this.waiting = this.waiting.filter((w) => !known(w.key));
  }

  /** This node's pods that run as a user of their own (from their status, or as the kubelet announced). */
  private localPods(): PolicySource[] {
    return this.pods.list().flatMap((pod) => {
      if (pod.spec?.nodeName !== this.options.nodeName || finished(pod)) return [];
      const key = keyOf(pod);
      const uid =
        pod.status?.containerStatuses?.find((c) => c.user?.linux)?.user?.linux?.uid ??
        this.announced.get(key);
      return uid === undefined ? [] : [{ key, subject: subjectOf(pod), uid }];
    });
  }

  /** Every pod of the cluster that serves a port. */
  private destinations(): PolicyDestination[] {
    return this.pods.list().flatMap((pod) => {
      const ip = pod.status?.podIP;
      const mappings = pod.status?.portMappings ?? [];
      if (!ip || mappings.length === 0 || finished(pod)) return [];
      const ports = mappings.map((m) => ({
        containerPort: m.containerPort,
        hostPort: m.hostPort,
        protocol: m.protocol ?? 'TCP',
        ...(m.name ? { name: m.name } : {}),
      }));
      return [{ key: keyOf(pod), subject: subjectOf(pod), ip, ports }];
    });
  }
}

function finished(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function keyOf(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

function subjectOf(pod: Pod): PolicySubject {
  return {
    namespace: pod.metadata.namespace ?? '',
    labels: pod.metadata.labels ?? {},
    ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
  };
}
