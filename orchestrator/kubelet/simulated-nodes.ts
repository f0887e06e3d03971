import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { Informer, systemTimers, type ApiClient, type TimerScheduler } from '../api/client/index.js';
import { formatTime, systemClock, type Clock } from '../api/clock.js';
import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import { SIMULATED_NODE_LABEL } from '../api/simulated-nodes.js';
import type { TimingProfile } from '../api/timing-profile.js';
import type { Condition, Lease, Node, Taint } from '../api/types.js';
import { InFlightLimiter } from './in-flight-limiter.js';
import { KUBELET_VERSION, formatMicroTime, healthyNodeConditions } from './node-status.js';
import { SimulatedPods, type SimulatedNodeAddresses } from './simulated-pods.js';
import { SpreadTimer } from './spread-timer.js';

const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const PRESSURE_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];

/**
 * How often an unchanged node status is posted anyway: upstream's --node-status-report-frequency
 * default. Liveness is the Lease's business; a status write per node per status period would
 * cost as much as the Leases themselves and tell the control plane nothing new.
 */
const STATUS_REPORT_FREQUENCY_MS = 5 * 60_000;
/** Node and Lease writes in flight at once, for all the simulated nodes together. */
const DEFAULT_MAX_IN_FLIGHT = 32;
/** How often the agent logs what it wrote. */
const SUMMARY_PERIOD_MS = 60_000;
/** The most simulated nodes one agent runs: their addresses are numbered within 10.200.0.0/16. */
export const MAX_SIMULATED_NODES = 10_000;

export interface SimulatedNodesOptions {
  client: ApiClient;
  log: Logger;
  /** How many nodes: named `<prefix>1` … `<prefix><count>`. */
  count: number;
  prefix: string;
  capacity: Record<string, string>;
  /** Added to the nodes' labels (--node-labels); `crucible.dev/simulated: "true"` is always there. */
  labels?: Record<string, string>;
  /** Taints the nodes register with (--register-with-taints). */
  taints?: Taint[];
  timing: Pick<
    TimingProfile,
    'nodeLeaseDurationSeconds' | 'nodeLeaseRenewIntervalMs' | 'nodeStatusUpdateFrequencyMs'
  >;
  /** Default 32. */
  maxInFlight?: number;
  clock?: Clock;
  timers?: TimerScheduler;
}

/**
 * Many nodes without processes, as kwok runs them, so the control plane can be exercised at a
 * thousand nodes on one machine: one agent, one client, one node informer and one pod informer
 * for all of them.
 *
 * - Registers `count` Nodes (Ready, with capacity, addresses in 10.200.0.0/16 and a podCIDR each)
 *   and a Lease per node in kube-node-lease.
 * - Renews each Lease once per renew interval of the timing profile, the nodes spread over the
 *   interval rather than all at once; a renewal still waiting for its turn when the next one is
 *   due is skipped, so a slow apiserver sees late renewals, never a growing pile of them.
 * - Checks each node's status against the node informer once per status update period and
 *   writes it only when it differs (Ready lost to the node lifecycle controller, a node deleted,
 *   capacity changed) or is older than upstream's report frequency of 5 minutes, as a kubelet
 *   with node leases does. A healthy node costs one Lease write per renew interval, nothing more.
 * - Runs the pods bound to its nodes without starting anything (SimulatedPods).
 *
 * No events are recorded and no read-only server is served: there is nothing to show. Failed
 * writes are retried at the next turn and counted in a summary logged every minute.
 */
export class SimulatedNodes {
  /** The nodes' names, `<prefix>1` first. */
  readonly names: readonly string[];
  private readonly addresses = new Map<string, SimulatedNodeAddresses>();
  private readonly nodes: Informer<Node>;
  private readonly pods: SimulatedPods;
  private readonly limiter: InFlightLimiter;
  private readonly clock: Clock;
  private readonly timers: TimerScheduler;
  /** 1 once the node and its Lease were created (or found): its Lease is renewed from then on. */
  private readonly registered: Uint8Array;
  private readonly leaseBusy: Uint8Array;
  private readonly statusBusy: Uint8Array;
  private readonly spreadTimers: SpreadTimer[] = [];
  private readonly abort = new AbortController();
  private summary?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly tally = {
    registrations: 0,
    leaseRenewals: 0,
    leaseFailures: 0,
    statusWrites: 0,
    statusFailures: 0,
  };
  private lastError?: string;

  constructor(private readonly options: SimulatedNodesOptions) {
    const { count, prefix } = options;
    if (!Number.isInteger(count) || count < 1 || count > MAX_SIMULATED_NODES)
      throw new RangeError(
        `simulated nodes: ${count} is not a whole number from 1 to ${MAX_SIMULATED_NODES}`,
      );
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.names = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
    this.names.forEach((name, i) => this.addresses.set(name, simulatedNodeAddresses(i + 1)));
    this.registered = new Uint8Array(count);
    this.leaseBusy = new Uint8Array(count);
    this.statusBusy = new Uint8Array(count);
    this.limiter = new InFlightLimiter(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.nodes = new Informer<Node>({
      client: options.client,
      resource: NODES,
      labelSelector: `${SIMULATED_NODE_LABEL}=true`,
      onError: (e, source) =>
        options.log.warn({ err: (e as Error).message, source }, 'node informer error; retrying'),
    });
    this.pods = new SimulatedPods({ client: options.client, log: options.log, nodes: this.addresses });
  }

  /** Starts registering, renewing and running pods in the background; nothing here throws. */
  start(): void {
    this.running ??= this.run();
  }

  /** Stops every timer and informer and waits for the writes in flight; safe to call twice. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of this.spreadTimers) t.stop();
    clearInterval(this.summary);
    await Promise.all([this.nodes.stop(), this.pods.stop(), this.running]);
    for (let waited = 0; this.limiter.active > 0 && waited < 5000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const { log, count, timing } = this.options;
    this.nodes.start();
    this.pods.start();
    if (!(await this.nodes.waitForSync(this.abort.signal))) return;
    // Leases are renewed from the first tick for nodes that exist already (a restarted agent) and
    // from its registration on for each other node, not once all are registered: registering a
    // thousand nodes takes seconds, longer than the fast profile's grace period of one.
    this.names.forEach((name, i) => {
      if (this.nodes.get(name)) this.registered[i] = 1;
    });
    this.spreadTimers.push(
      new SpreadTimer(count, timing.nodeLeaseRenewIntervalMs, (i) => void this.renewLease(i), this.timers),
      new SpreadTimer(count, timing.nodeStatusUpdateFrequencyMs, (i) => void this.syncStatus(i), this.timers),
    );
    for (const t of this.spreadTimers) t.start();
    this.summary = setInterval(() => this.logSummary(), SUMMARY_PERIOD_MS);
    this.summary.unref();
    const started = this.clock.now().getTime();
    await Promise.all(this.names.map((_, i) => (this.registered[i] ? undefined : this.register(i))));
    if (this.stopped) return;
    log.info(
      { nodes: count, registered: this.tally.registrations, ms: this.clock.now().getTime() - started },
      'simulated nodes registered',
    );
  }

  /** Creates node `index` (with its status) and its Lease; what exists already is left as it is. */
  private async register(index: number): Promise<void> {
    if (this.statusBusy[index] || this.stopped) return;
    this.statusBusy[index] = 1;
    const { client } = this.options;
    try {
      await this.limiter.run(() =>
        client.create<Node>(NODES, this.desiredNode(index, undefined)).then(
          () => this.tally.registrations++,
          (e: unknown) => {
            if (!isApiError(e, 'AlreadyExists')) throw e;
          },
        ),
      );
      await this.limiter.run(() => this.createLease(index));
      this.registered[index] = 1;
    } catch (e) {
      this.failed('statusFailures', e);
    } finally {
      this.statusBusy[index] = 0;
    }
  }

  private async renewLease(index: number): Promise<void> {
    if (!this.registered[index] || this.leaseBusy[index] || this.stopped) return;
    this.leaseBusy[index] = 1;
    const name = this.names[index]!;
    try {
      await this.limiter.run(async () => {
        if (this.stopped) return;
        try {
          // Stamped when sent, not when queued: a renewal that waited says when it really happened.
          await this.options.client.patch<Lease>(LEASES, NODE_LEASE_NAMESPACE, name, {
            spec: this.leaseSpec(name),
          });
        } catch (e) {
          if (!isApiError(e, 'NotFound')) throw e;
          await this.createLease(index);
        }
        this.tally.leaseRenewals++;
      });
    } catch (e) {
      this.failed('leaseFailures', e);
    } finally {
      this.leaseBusy[index] = 0;
    }
  }

  /** Registers a missing node; writes the status of one whose status is off or old. */
  private async syncStatus(index: number): Promise<void> {
    if (this.statusBusy[index] || this.stopped) return;
    const name = this.names[index]!;
    const node = this.nodes.get(name);
    if (!node) return this.register(index);
    if (!this.statusIsStale(node)) return;
    this.statusBusy[index] = 1;
    try {
      const { status } = this.desiredNode(index, node.status?.conditions);
      await this.limiter.run(() =>
        this.options.client.patch<Node>(NODES, '', name, { status }, 'merge', 'status'),
      );
      this.tally.statusWrites++;
    } catch (e) {
      // A node deleted meanwhile is registered again at its next turn.
      if (!isApiError(e, 'NotFound')) this.failed('statusFailures', e);
    } finally {
      this.statusBusy[index] = 0;
    }
  }

  private async createLease(index: number): Promise<void> {
    const name = this.names[index]!;
    const spec = this.leaseSpec(name);
    await this.options.client
      .create<Lease>(LEASES, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: NODE_LEASE_NAMESPACE },
        spec: { ...spec, acquireTime: spec.renewTime },
      })
      .catch((e: unknown) => {
        if (!isApiError(e, 'AlreadyExists')) throw e;
      });
  }

  private leaseSpec(name: string) {
    return {
      holderIdentity: name,
      leaseDurationSeconds: this.options.timing.nodeLeaseDurationSeconds,
      renewTime: formatMicroTime(this.clock.now()),
    };
  }

  /** Whether the API's view of the node differs from what it should say, or is too old to keep. */
  private statusIsStale(node: Node): boolean {
    const { capacity } = this.options;
    const conditions = node.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') return true;
    if (PRESSURE_CONDITIONS.some((type) => conditions.find((c) => c.type === type)?.status !== 'False'))
      return true;
    if (!isDeepStrictEqual(node.status?.capacity, capacity)) return true;
    if (!isDeepStrictEqual(node.status?.allocatable, capacity)) return true;
    const heartbeat = ready.lastHeartbeatTime ? Date.parse(ready.lastHeartbeatTime) : 0;
    return this.clock.now().getTime() - heartbeat >= STATUS_REPORT_FREQUENCY_MS;
  }

  private desiredNode(index: number, previous: Condition[] | undefined): Node {
    const { capacity, labels, taints } = this.options;
    const name = this.names[index]!;
    const { ip, podCidr } = this.addresses.get(name)!;
    const now = formatTime(this.clock.now());
    const conditions = healthyNodeConditions(previous, now, 'simulated kubelet is posting ready status');
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          ...labels,
          [SIMULATED_NODE_LABEL]: 'true',
        },
      },
      spec: { podCIDR: podCidr, ...(taints?.length ? { taints } : {}) },
      status: {
        capacity,
        allocatable: capacity,
        conditions,
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: name },
        ],
        // Port 0: there is no kubelet to ask for logs, and the apiserver says so.
        daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
        nodeInfo: {
          kubeletVersion: KUBELET_VERSION,
          kubeProxyVersion: KUBELET_VERSION,
          operatingSystem: 'linux',
          architecture: 'amd64',
          containerRuntimeVersion: 'simulated://crucible',
          osImage: 'simulated by crucible',
          kernelVersion: '',
          machineID: name,
          systemUUID: name,
          bootID: '',
        },
      },
    };
  }

  private failed(kind: 'leaseFailures' | 'statusFailures', e: unknown): void {
    this.tally[kind]++;
    this.lastError = e instanceof Error ? e.message : String(e);
  }

  private logSummary(): void {
    const failures = this.tally.leaseFailures + this.tally.statusFailures;
    this.options.log[failures ? 'warn' : 'info'](
      {
        nodes: this.options.count,
        ...this.tally,
        pods: this.pods.counts(),
        queuedWrites: this.limiter.queued,
        ...(failures && this.lastError ? { lastError: this.lastError } : {}),
      },
      'simulated nodes: writes so far',
    );
  }
}

/**
 * Where simulated node `n` (1-based) is: its InternalIP in 10.200.0.0/16 and its podCIDR, a /24
 * in 10.64.0.0/10. Nothing listens there; the addresses only have to be well-formed and distinct.
 */
export function simulatedNodeAddresses(n: number): SimulatedNodeAddresses {
  return {
    ip: `10.200.${Math.floor(n / 250)}.${(n % 250) + 1}`,
    podCidr: `10.${64 + Math.floor(n / 256)}.${n % 256}.0/24`,
  };
}
