import { findResource } from '../../orchestrator/api/resources.js';
import { TIMING_PROFILES } from '../../orchestrator/api/timing-profile.js';
import type { Deployment } from '../../orchestrator/api/types.js';
import { type ProviderName } from '../cluster/index.js';
import { pollUntil } from '../support/poll-until.js';
import { startBenchCluster, type BenchCluster } from './bench-cluster.js';
import { deployEchoApp, waitUntilSpread, type EchoApp } from './echo-app.js';
import { measurePodStart } from './measure-pod-start.js';
import { percentile } from './percentile.js';
import {
  configuredNodeLoss,
  recoveryFloorMs,
  type ConfiguredNodeLoss,
  type NodeLossTiming,
} from './recovery-floor.js';
import { RecoveryTimeline, type RecoveryMilestones } from './recovery-timeline.js';
import { RecoveryWatch, isReady } from './recovery-watch.js';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;

const WORKERS = 3;
/** Two echo pods per worker, so the lost worker takes two with it. */
const REPLICAS = 2 * WORKERS;
const ROUND_TIMEOUT_MS = 60_000;

export interface RecoveryBenchOptions {
  /** Node losses to measure, one after another on the same cluster. */
  rounds: number;
  /** The controller-manager's --node-monitor-grace-period; the fast profile's when left out. */
  nodeMonitorGracePeriodMs?: number;
  progress: (line: string) => void;
}

/** One node loss, in ms from the kill. */
export interface RecoveryRound {
  /** How long the kill itself took (the node dies somewhere in it; the clock starts before it). */
  killMs: number;
  detectionMs: number;
  evictionMs: number;
  recoveryMs: number;
  /** One pod of the same template started on a live node just before the kill. */
  podStartMs: number;
  /** The soonest eviction the configuration allows + that pod start (recoveryFloorMs). */
  floorMs: number;
}

export interface RecoveryBenchResult {
  provider: ProviderName;
  workers: number;
  replicas: number;
  lostNode: string;
  /** The intervals the cluster ran with: the fast profile, and the grace period if overridden. */
  timing: NodeLossTiming;
  gracePeriodOverridden: boolean;
  configured: ConfiguredNodeLoss;
  rounds: RecoveryRound[];
  /**
   * Times a worker that was never killed went from Ready to not Ready while the rounds ran: the
   * node lifecycle controller giving up on a live node, as a too short grace period does under load.
   */
  liveNodeFlaps: number;
  /** Each figure's median over the rounds. */
  median: Omit<RecoveryRound, 'killMs'>;
}

/**
 * DESIGN.md §5's recovery after losing 1 of 3 workers: a cluster with two echo pods per worker;
 * the last worker is killed as the node-loss fault kills it, and the clock runs from the kill
 * until the node is found out (Ready=Unknown), its pods are evicted, and the Deployment has all
 * its replicas Running and Ready on live nodes again. Between rounds the worker is started again
 * and the pods are spread anew, so each round loses the same share.
 */
export async function benchRecovery(options: RecoveryBenchOptions): Promise<RecoveryBenchResult> {
  const grace = options.nodeMonitorGracePeriodMs;
  const timing: NodeLossTiming = {
    ...TIMING_PROFILES.fast,
    ...(grace !== undefined ? { nodeMonitorGracePeriodMs: grace } : {}),
  };
  const configured = configuredNodeLoss(timing);
  const cluster = await startBenchCluster({
    section: 'recovery',
    workers: WORKERS,
    extraArgs:
      grace !== undefined ? { 'controller-manager': [`--node-monitor-grace-period=${grace}ms`] } : {},
    progress: options.progress,
  });
  try {
    const app = await deployEchoApp(cluster.client, cluster.workers, REPLICAS);
    const watch = await RecoveryWatch.start(cluster.client, app, lostNodeOf(cluster));
    const rounds: RecoveryRound[] = [];
    let liveNodeFlaps: number;
    try {
      for (let i = 1; i <= options.rounds; i++) {
        if (i > 1) await respread(cluster, app, watch);
        const round = await loseOneNode(cluster, app, watch, configured);
        options.progress(
          `round ${i}: detection ${seconds(round.detectionMs)}, eviction ${seconds(round.evictionMs)}, recovery ${seconds(round.recoveryMs)} (floor ${seconds(round.floorMs)})`,
        );
        rounds.push(round);
      }
    } finally {
      liveNodeFlaps = watch.liveNodeFlaps;
      await watch.stop();
    }
    const median = (pick: (r: RecoveryRound) => number) => medianOf(rounds.map(pick));
    return {
      provider: cluster.provider,
      workers: WORKERS,
      replicas: REPLICAS,
      lostNode: lostNodeOf(cluster),
      timing,
      gracePeriodOverridden: grace !== undefined,
      configured,
      rounds,
      liveNodeFlaps,
      median: {
        detectionMs: median((r) => r.detectionMs),
        evictionMs: median((r) => r.evictionMs),
        recoveryMs: median((r) => r.recoveryMs),
        podStartMs: median((r) => r.podStartMs),
        floorMs: median((r) => r.floorMs),
      },
    };
  } finally {
    await cluster.stop();
  }
}

/** Kills the last worker, times the recovery, then starts the worker again. */
async function loseOneNode(
  cluster: BenchCluster,
  app: EchoApp,
  watch: RecoveryWatch,
  configured: ConfiguredNodeLoss,
): Promise<RecoveryRound> {
  const lostNode = lostNodeOf(cluster);
  const podStartMs = await measurePodStart(cluster.client, app.namespace, app.deployment.spec.template);
  const lostPods = watch.pods
    .list()
    .filter((p) => p.spec.nodeName === lostNode && !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name!);
  const killedAt = performance.now();
  const timeline = new RecoveryTimeline({ lostNode, lostPods, desiredReplicas: REPLICAS, killedAt });
  watch.follow(timeline);
  const fault = await cluster.faults.inject('node-loss', lostNode);
  const killMs = performance.now() - killedAt;
  try {
    await pollUntil(
      () => timeline.complete,
      ROUND_TIMEOUT_MS,
      () => `recovery from the loss of ${lostNode}: ${describe(timeline.milestones)}`,
    );
  } finally {
    watch.follow(undefined);
    await cluster.faults.heal(fault);
  }
  const { detectionMs, evictionMs, recoveryMs } = timeline.milestones as Required<RecoveryMilestones>;
  return {
    killMs,
    detectionMs,
    evictionMs,
    recoveryMs,
    podStartMs,
    floorMs: recoveryFloorMs(configured, podStartMs),
  };
}

/**
 * After a round the replacements run on the surviving workers only: once the lost worker is
 * back and Ready, scale to 0 and up again, so that the scheduler's spread puts two pods on
 * every worker again. Waiting for no pods at all also waits for the restarted kubelet to finish
 * off the pods the node lost.
 */
async function respread(cluster: BenchCluster, app: EchoApp, watch: RecoveryWatch): Promise<void> {
  const lostNode = lostNodeOf(cluster);
  await pollUntil(() => isReady(watch.nodes.get(lostNode)), ROUND_TIMEOUT_MS, `${lostNode} Ready again`);
  const scale = (replicas: number) =>
    cluster.client.patch<Deployment>(DEPLOYMENTS, app.namespace, app.deployment.metadata.name!, {
      spec: { replicas },
    });
  await scale(0);
  await pollUntil(
    () => watch.pods.list().length === 0,
    ROUND_TIMEOUT_MS,
    () => {
      const left = watch.pods.list().map((p) => `${p.metadata.name} on ${p.spec.nodeName}`);
      return `no echo pods left; left: ${left.join(', ')}`;
    },
  );
  await scale(REPLICAS);
  await waitUntilSpread(
    cluster.client,
    app,
    cluster.workers.map((w) => w.name),
    REPLICAS,
    ROUND_TIMEOUT_MS,
  );
}

/** The worker each round kills: the last (worker-3 of 3). */
function lostNodeOf(cluster: BenchCluster): string {
  return cluster.workers.at(-1)!.name;
}

function describe(m: RecoveryMilestones): string {
  const words = (ms: number | undefined) => (ms === undefined ? 'not yet' : `after ${seconds(ms)}`);
  return `detected ${words(m.detectionMs)}, evicted ${words(m.evictionMs)}, recovered ${words(m.recoveryMs)}`;
}

function medianOf(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
