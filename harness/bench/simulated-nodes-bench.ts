import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, Informer } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import {
  ON_SIMULATED_NODES,
  SIMULATED_NODE_LABEL,
  SIMULATED_NODES_USER,
  SIMULATED_NODE_TAINT,
} from '../../orchestrator/api/simulated-nodes.js';
import { formatTaint } from '../../orchestrator/api/taints.js';
import { TIMING_PROFILES, type TimingProfileName } from '../../orchestrator/api/timing-profile.js';
import type { Deployment, Lease, Node } from '../../orchestrator/api/types.js';
import {
  componentNodeArgs,
  LocalProcess,
  ORCHESTRATOR_MAIN,
  startLocalControlPlane,
} from '../cluster/index.js';
import { pollUntil } from '../support/poll-until.js';
import { percentile } from './percentile.js';
import { processUsage, type ProcessUsage } from './process-usage.js';
import { sleep } from '../support/index.js';

const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const PREFIX = 'sim-';
/** How long the nodes, and then the Deployment, may take before the step counts as not held. */
const NODES_READY_TIMEOUT_MS = 120_000;
const PODS_READY_TIMEOUT_MS = 180_000;
const API_PROBE_PERIOD_MS = 100;
const LEASE_SAMPLE_PERIOD_MS = 2000;

/** The first size of a ramp; each next one doubles, up to `max`. */
const RAMP_START = 250;

/** The cluster sizes to try for a largest size of `max`: 250, 500, 1000, … and `max` itself. */
export function simulatedNodesRamp(max: number): number[] {
  const sizes: number[] = [];
  for (let n = RAMP_START; n < max; n *= 2) sizes.push(n);
  return [...sizes, max];
}

export interface SimulatedNodesBenchOptions {
  /** The cluster sizes to try, smallest first; the ramp stops at the first that does not hold. */
  counts: number[];
  /** How long every node must stay Ready once all are, with a Deployment of one pod per node rolling out. */
  holdMs: number;
  /** Timing profile of every component. */
  profile: TimingProfileName;
  progress: (line: string) => void;
}

/** One cluster size, measured on a fresh control plane. */
export interface SimulatedClusterStep {
  nodes: number;
  held: boolean;
  /** Why it did not hold. */
  reason?: string;
  /** Simulator started → every node Ready in the API; null when they never all were. */
  nodesReadyMs: number | null;
  /** Deployment of one pod per node created → every replica ready (scheduled, reported Running and Ready). */
  podsReadyMs: number | null;
  /** Nodes seen other than Ready=True (through a watch) while the step held. */
  notReadyNodes: string[];
  /** The oldest Lease seen during the hold (now − renewTime), against the grace period. */
  oldestLeaseAgeMs: number;
  /** A GET of one Node every 100 ms during the hold, as the admin. */
  apiGetP50Ms: number;
  apiGetP99Ms: number;
  apiGetErrors: number;
  /** Per process, after the hold: resident memory now and at its peak, CPU over the hold. */
  processes: Record<
    'simulator' | 'apiserver' | 'etcd' | 'scheduler' | 'controllerManager',
    ProcessUsage & { cpuPercent: number }
  >;
}

export interface SimulatedNodesBenchResult {
  profile: TimingProfileName;
  leaseRenewIntervalMs: number;
  nodeMonitorGracePeriodMs: number;
  holdMs: number;
  steps: SimulatedClusterStep[];
  /** The largest size that held; 0 when none did. */
  largestHeld: number;
}

/**
 * The largest simulated cluster this machine holds: for each size of the ramp, a fresh etcd,
 * apiserver, scheduler and controller-manager (node lifecycle included) as processes, and one
 * `orchestrator kubelet --simulated-nodes N` process; then every node must come Ready, stay
 * Ready for the hold while a Deployment of N pods (one per node) is scheduled onto them and
 * reported Running, with no Lease older than the grace period.
 */
export async function benchSimulatedNodes(
  opts: SimulatedNodesBenchOptions,
): Promise<SimulatedNodesBenchResult> {
  const timing = TIMING_PROFILES[opts.profile];
  const steps: SimulatedClusterStep[] = [];
  for (const count of opts.counts) {
    opts.progress(`${count} simulated nodes (profile ${opts.profile})`);
    const step = await measureStep(count, opts);
    steps.push(step);
    opts.progress(
      step.held
        ? `${count} nodes held: Ready after ${seconds(step.nodesReadyMs)}, ${count} pods ready after ${seconds(step.podsReadyMs)}`
        : `${count} nodes did not hold: ${step.reason}`,
    );
    if (!step.held) break;
  }
  return {
    profile: opts.profile,
    leaseRenewIntervalMs: timing.nodeLeaseRenewIntervalMs,
    nodeMonitorGracePeriodMs: timing.nodeMonitorGracePeriodMs,
    holdMs: opts.holdMs,
    steps,
    largestHeld: Math.max(0, ...steps.filter((s) => s.held).map((s) => s.nodes)),
  };
}

async function measureStep(count: number, opts: SimulatedNodesBenchOptions): Promise<SimulatedClusterStep> {
  const timing = TIMING_PROFILES[opts.profile];
  const dir = await mkdtemp(join(tmpdir(), 'crucible-bench-simulated-'));
  const processes: LocalProcess[] = [];
  const tokens = {
    admin: randomBytes(16).toString('hex'),
    scheduler: randomBytes(16).toString('hex'),
    controllerManager: randomBytes(16).toString('hex'),
    simulator: randomBytes(16).toString('hex'),
  };
  // Each component as its own user, so RBAC is evaluated on every request as in a cluster.
  await writeFile(
    join(dir, 'tokens.csv'),
    [
      `${tokens.admin},bench,uid-bench,"system:masters"`,
      `${tokens.scheduler},system:kube-scheduler,uid-scheduler`,
      `${tokens.controllerManager},system:kube-controller-manager,uid-controller-manager`,
      `${tokens.simulator},${SIMULATED_NODES_USER},uid-simulated-nodes`,
    ].join('\n') + '\n',
  );
  let client: ApiClient | undefined;
  let nodeWatch: Informer<Node> | undefined;
  let leaseWatch: Informer<Lease> | undefined;
  try {
    const cp = await startLocalControlPlane({ dir, tokenFile: join(dir, 'tokens.csv'), processes });
    client = new ApiClient({ servers: [cp.apiserverUrl], token: tokens.admin, caPem: cp.caPem });
    const component = async (name: string, token: string, args: string[]) => {
      const proc = new LocalProcess({
        name,
        command: process.execPath,
        args: [
          ...componentNodeArgs(),
          ORCHESTRATOR_MAIN,
          ...args,
          `--server=${cp.apiserverUrl}`,
          `--token=${token}`,
          `--certificate-authority=${cp.caFile}`,
          `--profile=${opts.profile}`,
          '--log-level=warn',
        ],
        logFile: join(dir, `${name}.log`),
        // Judged below through the API.
        ready: () => Promise.resolve(),
      });
      processes.push(proc);
      await proc.start();
      return proc;
    };
    const scheduler = await component('scheduler', tokens.scheduler, ['scheduler', '--leader-elect=false']);
    const controllerManager = await component('controller-manager', tokens.controllerManager, [
      'controller-manager',
      '--leader-elect=false',
    ]);
    const nodes = new Informer<Node>({
      client,
      resource: NODES,
      labelSelector: `${SIMULATED_NODE_LABEL}=true`,
      onError: () => undefined,
    });
    // The node lifecycle controller judges the Leases through an informer too: ages seen here
    // include the same watch delay.
    const leases = new Informer<Lease>({
      client,
      resource: LEASES,
      namespace: 'kube-node-lease',
      onError: () => undefined,
    });
    [nodeWatch, leaseWatch] = [nodes, leases];
    nodes.start();
    leases.start();
    const started = performance.now();
    const simulator = await component('simulator', tokens.simulator, [
      'kubelet',
      `--simulated-nodes=${count}`,
      `--node-name-prefix=${PREFIX}`,
      `--register-with-taints=${formatTaint(SIMULATED_NODE_TAINT)}`,
    ]);
    const byName = (name: string) => processes.find((p) => p.spec.name === name)?.pid;
    const pids = {
      simulator: simulator.pid,
      apiserver: byName('apiserver'),
      etcd: byName('etcd'),
      scheduler: scheduler.pid,
      controllerManager: controllerManager.pid,
    };
    const api = client;

    // Every node Ready, as a watch sees it (a list of thousands of nodes is megabytes: not polled).
    let nodesReadyMs: number | null = null;
    const readyCount = () => nodes.list().filter(isReady).length;
    try {
      await pollUntil(
        () => readyCount() === count,
        NODES_READY_TIMEOUT_MS,
        () => `${readyCount()}/${count} nodes Ready`,
        100,
      );
      nodesReadyMs = performance.now() - started;
    } catch {
      return notHeld(
        count,
        `only ${readyCount()} of ${count} nodes Ready after ${NODES_READY_TIMEOUT_MS / 1000} s`,
      );
    }
    opts.progress(`all ${count} nodes Ready after ${seconds(nodesReadyMs)}`);

    // The hold: nodes watched, Lease ages sampled, the API probed, while N pods roll out.
    const cpuBefore = await usageOf(pids);
    const holdStarted = performance.now();
    const notReady = new Set<string>();
    const watchNode = (node: Node) => {
      if (!isReady(node)) notReady.add(node.metadata.name!);
    };
    nodes.addHandlers({ add: watchNode, update: (_old, node) => watchNode(node) });
    const probe = probeApi(api, `${PREFIX}1`);
    const leaseAges = sampleLeaseAges(leases);
    const labels = { app: 'simulated-bench' };
    const podsStarted = performance.now();
    await api.create<Deployment>(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'simulated-bench', namespace: 'default' },
      spec: {
        replicas: count,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            ...ON_SIMULATED_NODES,
            containers: [
              {
                name: 'app',
                image: 'crucible/sleeper',
                resources: { requests: { cpu: '10m', memory: '16Mi' } },
              },
            ],
          },
        },
      },
    });
    let podsReadyMs: number | null = null;
    let readyReplicas = 0;
    const podsReady = pollUntil(
      async () =>
        (readyReplicas =
          (await api.get<Deployment>(DEPLOYMENTS, 'default', 'simulated-bench')).status?.readyReplicas ??
          0) === count,
      PODS_READY_TIMEOUT_MS,
      () => `${readyReplicas}/${count} replicas ready`,
      250,
    ).then(
      () => (podsReadyMs = performance.now() - podsStarted),
      () => undefined,
    );
    await Promise.all([podsReady, sleep(opts.holdMs)]);
    const holdSeconds = (performance.now() - holdStarted) / 1000;
    const apiGets = await probe.stop();
    const oldestLeaseAgeMs = leaseAges.stop();
    const cpuAfter = await usageOf(pids);
    const usage = Object.fromEntries(
      Object.entries(cpuAfter).map(([name, after]) => [
        name,
        {
          ...after,
          cpuPercent:
            (100 * (after.cpuSeconds - cpuBefore[name as keyof typeof pids].cpuSeconds)) / holdSeconds,
        },
      ]),
    ) as SimulatedClusterStep['processes'];

    const reasons = [
      ...(notReady.size ? [`${notReady.size} node(s) not Ready during the hold`] : []),
      ...(podsReadyMs === null
        ? [`${readyReplicas}/${count} replicas ready after ${PODS_READY_TIMEOUT_MS / 1000} s`]
        : []),
      ...(oldestLeaseAgeMs >= timing.nodeMonitorGracePeriodMs
        ? [
            `a Lease went ${seconds(oldestLeaseAgeMs)} unrenewed (grace ${seconds(timing.nodeMonitorGracePeriodMs)})`,
          ]
        : []),
    ];
    return {
      nodes: count,
      held: reasons.length === 0,
      ...(reasons.length ? { reason: reasons.join('; ') } : {}),
      nodesReadyMs,
      podsReadyMs,
      notReadyNodes: [...notReady].sort(),
      oldestLeaseAgeMs,
      apiGetP50Ms: apiGets.p50Ms,
      apiGetP99Ms: apiGets.p99Ms,
      apiGetErrors: apiGets.errors,
      processes: usage,
    };
  } finally {
    await nodeWatch?.stop();
    await leaseWatch?.stop();
    await client?.close();
    for (const p of processes.reverse()) await p.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function notHeld(count: number, reason: string): SimulatedClusterStep {
  const none = { rssMiB: 0, peakRssMiB: 0, cpuSeconds: 0, cpuPercent: 0 };
  return {
    nodes: count,
    held: false,
    reason,
    nodesReadyMs: null,
    podsReadyMs: null,
    notReadyNodes: [],
    oldestLeaseAgeMs: 0,
    apiGetP50Ms: 0,
    apiGetP99Ms: 0,
    apiGetErrors: 0,
    processes: {
      simulator: none,
      apiserver: none,
      etcd: none,
      scheduler: none,
      controllerManager: none,
    },
  };
}

async function usageOf<K extends string>(
  pids: Record<K, number | undefined>,
): Promise<Record<K, ProcessUsage>> {
  const entries = await Promise.all(
    Object.entries(pids).map(
      async ([name, pid]) => [name, await processUsage(pid as number | undefined)] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<K, ProcessUsage>;
}

/** GETs `node` every 100 ms until stopped; then the latencies' p50 and p99 and the failures. */
function probeApi(client: ApiClient, node: string) {
  const latencies: number[] = [];
  let errors = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const sent = performance.now();
      await client.get(NODES, '', node).then(
        () => latencies.push(performance.now() - sent),
        () => errors++,
      );
      await new Promise((r) => setTimeout(r, Math.max(0, API_PROBE_PERIOD_MS - (performance.now() - sent))));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      latencies.sort((a, b) => a - b);
      return { p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), errors };
    },
  };
}

/** Every 2 s until stopped, the oldest node Lease in the cache (now − renewTime); then the oldest seen. */
function sampleLeaseAges(leases: Informer<Lease>) {
  let oldest = 0;
  const sample = () => {
    const now = Date.now();
    for (const lease of leases.list()) {
      const renewed = Date.parse(lease.spec?.renewTime ?? '');
      if (Number.isFinite(renewed)) oldest = Math.max(oldest, now - renewed);
    }
  };
  sample();
  const timer = setInterval(sample, LEASE_SAMPLE_PERIOD_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return oldest;
    },
  };
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function seconds(ms: number | null): string {
  return ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`;
}
