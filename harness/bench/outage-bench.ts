import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment, Lease, Node } from '../../orchestrator/api/types.js';
import { type ProviderName } from '../cluster/index.js';
import { pollUntil } from '../support/poll-until.js';
import { BuiltinDriver, parseLoadSpec, type LoadSample } from '../load/index.js';
import { startBenchCluster, type BenchCluster } from './bench-cluster.js';
import { deployEchoApp, type EchoApp } from './echo-app.js';
import { tallyLoadWindow, type LoadWindowTally } from './load-window.js';
import { sleep } from '../support/index.js';

const NODES = findResource('', 'v1', 'nodes')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

const WORKERS = 3;
/** One echo pod per worker: every node port forwards to pods on other nodes too. */
const REPLICAS = WORKERS;
/** Load before the outage, so that a broken steady state shows as such and not as the outage's doing. */
const BEFORE_MS = 5000;
/** Load after the control plane is back: its restart (relists, leases, endpoints) must not cost requests either. */
const AFTER_MS = 10_000;
const RECOVERY_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT = '2s';

export interface OutageBenchOptions {
  /** How long the whole control plane stays down. */
  outageMs: number;
  /** Requests per second, spread over every worker's node port. */
  rate: number;
  progress: (line: string) => void;
}

export interface OutageBenchResult {
  provider: ProviderName;
  workers: number;
  replicas: number;
  rate: number;
  outageMs: number;
  /** The nodes the control-plane-outage fault killed. */
  killed: string[];
  /** Each stretch with its length, in ms. */
  before: LoadWindowTally & { durationMs: number };
  /** From the kill issued until the heal (restart) returned. */
  outage: LoadWindowTally & { durationMs: number };
  /** From the heal until the load stopped: the restart and AFTER_MS of a recovered cluster. */
  afterHeal: LoadWindowTally & { durationMs: number };
  whole: LoadWindowTally & { durationMs: number };
  /** Heal → the API answers again, every kubelet has renewed its Lease through it, every node is Ready and every echo replica ready. */
  controlPlaneBackMs: number;
}

/**
 * DESIGN.md §5's requests failed while the whole control plane is down: the echo app under an
 * open-model load through every worker's node port, then every etcd member, apiserver, scheduler
 * and controller-manager killed for `outageMs` (the control-plane-outage fault), then healed. The
 * data plane (kubelets, kube-proxies, pods) is left alone and should keep serving from what it
 * knew. Every request is counted in the stretch it was due in.
 */
export async function benchOutage(options: OutageBenchOptions): Promise<OutageBenchResult> {
  const cluster = await startBenchCluster({
    section: 'outage',
    workers: WORKERS,
    progress: options.progress,
  });
  try {
    const app = await deployEchoApp(cluster.client, cluster.workers, REPLICAS);
    const now = () => performance.timeOrigin + performance.now();
    const samples: Pick<LoadSample, 'intendedStartMs' | 'outcome' | 'error'>[] = [];
    const stopLoad = new AbortController();
    const driver = new BuiltinDriver(
      parseLoadSpec({
        target: app.targets[0]!.url,
        rate: options.rate,
        // Longer than it will run: the abort below ends it once the cluster has recovered.
        duration: `${BEFORE_MS + options.outageMs + RECOVERY_TIMEOUT_MS + AFTER_MS + 60_000}ms`,
        timeout: REQUEST_TIMEOUT,
        driver: 'builtin',
      }),
      app.targets,
    );
    const load = driver.run({
      signal: stopLoad.signal,
      onSample: (s) =>
        samples.push({ intendedStartMs: s.intendedStartMs, outcome: s.outcome, error: s.error }),
    });
    let outageAt = 0;
    let healedAt = 0;
    let killed: string[] = [];
    let controlPlaneBackMs = 0;
    try {
      await sleep(BEFORE_MS);
      options.progress(
        `load at ${options.rate}/s through ${app.targets.length} node ports; killing the control plane`,
      );
      outageAt = now();
      const fault = await cluster.faults.inject('control-plane-outage', 'all');
      killed = fault.targets;
      try {
        await sleep(outageAt + options.outageMs - now());
      } finally {
        await cluster.faults.heal(fault);
        healedAt = now();
      }
      options.progress(`control plane started again after ${((healedAt - outageAt) / 1000).toFixed(1)} s`);
      await waitUntilRecovered(cluster, app, healedAt);
      controlPlaneBackMs = now() - healedAt;
      options.progress(
        `API answering, nodes and echo replicas ready ${(controlPlaneBackMs / 1000).toFixed(1)} s after the heal`,
      );
      await sleep(AFTER_MS);
    } finally {
      stopLoad.abort();
      await load;
    }
    const loadEndedAt = now();
    // The driver warms up before its schedule starts: the run starts with the first request due.
    const loadStartedAt = samples.reduce((first, s) => Math.min(first, s.intendedStartMs), outageAt);
    const window = (from: number, to: number) => ({
      ...tallyLoadWindow(samples, from, to),
      durationMs: to - from,
    });
    return {
      provider: cluster.provider,
      workers: WORKERS,
      replicas: REPLICAS,
      rate: options.rate,
      outageMs: options.outageMs,
      killed,
      before: window(loadStartedAt, outageAt),
      outage: window(outageAt, healedAt),
      afterHeal: window(healedAt, loadEndedAt),
      whole: window(loadStartedAt, loadEndedAt),
      controlPlaneBackMs,
    };
  } finally {
    await cluster.stop();
  }
}

/**
 * Until the API answers again, every kubelet has renewed its Lease since the heal (so it talks to
 * the new control plane, not just its cache), every node is Ready and every echo replica ready.
 */
async function waitUntilRecovered(cluster: BenchCluster, app: EchoApp, healedAt: number): Promise<void> {
  let why = 'the API has not answered yet';
  await pollUntil(
    async () => {
      const leases = (await cluster.client.list<Lease>(LEASES, 'kube-node-lease')).items;
      const renewed = new Set(
        leases.filter((l) => Date.parse(l.spec?.renewTime ?? '') > healedAt).map((l) => l.metadata.name!),
      );
      const nodes = (await cluster.client.list<Node>(NODES)).items;
      const behind = nodes.filter(
        (n) =>
          !renewed.has(n.metadata.name!) ||
          !n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      const deployment = await cluster.client.get<Deployment>(
        DEPLOYMENTS,
        app.namespace,
        app.deployment.metadata.name!,
      );
      const ready = deployment.status?.readyReplicas ?? 0;
      why = `nodes not renewed or not Ready: ${behind.map((n) => n.metadata.name).join(', ') || 'none'}; echo ${ready}/${REPLICAS} ready`;
      return behind.length === 0 && ready >= REPLICAS;
    },
    RECOVERY_TIMEOUT_MS,
    () => `the cluster back after the outage: ${why}`,
    100,
  );
}
