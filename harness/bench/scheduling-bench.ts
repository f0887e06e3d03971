import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Node, Pod } from '../../orchestrator/api/types.js';
import {
  componentNodeArgs,
  LocalProcess,
  ORCHESTRATOR_MAIN,
  startLocalControlPlane,
} from '../cluster/index.js';
import { pollUntil } from '../support/poll-until.js';
import { percentile } from './percentile.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

export interface SchedulingBenchOptions {
  nodes: number;
  pods: number;
  progress: (line: string) => void;
}

export interface SchedulingBenchResult {
  nodes: number;
  pods: number;
  /** Pods bound per second, from the first binding to the last, for a backlog of `pods`. */
  throughputPodsPerSecond: number;
  /** Create → bound (seen through a watch), for pods created while the scheduler runs. */
  createToBoundP50Ms: number;
  createToBoundP99Ms: number;
  /** The same pods' create requests alone: the floor under create-to-bound. */
  createRequestP50Ms: number;
}

/**
 * Scheduling throughput (binding included) and create-to-bound latency, against real etcd,
 * apiserver and scheduler processes: `nodes` Ready nodes (no kubelets), a backlog of `pods`
 * unscheduled pods handed to a freshly started scheduler, then `pods` more created while it runs.
 */
export async function benchScheduling(opts: SchedulingBenchOptions): Promise<SchedulingBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'crucible-bench-sched-'));
  const processes: LocalProcess[] = [];
  const token = randomBytes(16).toString('hex');
  await writeFile(join(dir, 'tokens.csv'), `${token},bench,uid-bench,"system:masters"\n`);
  try {
    const cp = await startLocalControlPlane({ dir, tokenFile: join(dir, 'tokens.csv'), processes });
    const client = new ApiClient({ servers: [cp.apiserverUrl], token, caPem: cp.caPem });
    try {
      await createNodes(client, opts.nodes);
      opts.progress(`${opts.nodes} nodes registered`);
      await createPods(client, 'backlog', opts.pods, 16);
      opts.progress(`${opts.pods} unscheduled pods created`);

      const bound = new Map<string, number>();
      const watchAbort = new AbortController();
      const rv = (await client.list(PODS, '', { limit: 1 })).metadata.resourceVersion;
      const watching = client
        .watch<Pod>(
          PODS,
          '',
          { resourceVersion: rv },
          (ev) => {
            const pod = ev.object as Pod;
            if (pod.spec?.nodeName && !bound.has(pod.metadata.name!))
              bound.set(pod.metadata.name!, performance.now());
          },
          watchAbort.signal,
        )
        .catch(() => undefined);

      const scheduler = new LocalProcess({
        name: 'scheduler',
        command: process.execPath,
        args: [
          ...componentNodeArgs(),
          ORCHESTRATOR_MAIN,
          'scheduler',
          `--server=${cp.apiserverUrl}`,
          `--token=${token}`,
          `--certificate-authority=${cp.caFile}`,
          '--leader-elect=false',
          '--log-level=warn',
        ],
        logFile: join(dir, 'scheduler.log'),
        ready: () => Promise.resolve(),
      });
      processes.push(scheduler);
      await scheduler.start();
      const backlog = () => [...bound.keys()].filter((n) => n.startsWith('backlog-')).length;
      await pollUntil(
        () => backlog() >= opts.pods,
        120_000,
        () => `${backlog()}/${opts.pods} bound`,
      );
      const times = [...bound.entries()].filter(([n]) => n.startsWith('backlog-')).map(([, t]) => t);
      const throughput = opts.pods / ((Math.max(...times) - Math.min(...times)) / 1000);
      opts.progress(`backlog bound: ${throughput.toFixed(0)} pods/s`);

      const created = new Map<string, number>();
      const createMs: number[] = [];
      await createPods(client, 'live', opts.pods, 8, (name, startedAt, tookMs) => {
        created.set(name, startedAt);
        createMs.push(tookMs);
      });
      const live = () => [...bound.keys()].filter((n) => n.startsWith('live-')).length;
      await pollUntil(
        () => live() >= opts.pods,
        120_000,
        () => `${live()}/${opts.pods} bound`,
      );
      watchAbort.abort();
      await watching;
      const latencies = [...created.entries()].map(([n, t]) => bound.get(n)! - t).sort((a, b) => a - b);
      createMs.sort((a, b) => a - b);
      return {
        nodes: opts.nodes,
        pods: opts.pods,
        throughputPodsPerSecond: throughput,
        createToBoundP50Ms: percentile(latencies, 0.5),
        createToBoundP99Ms: percentile(latencies, 0.99),
        createRequestP50Ms: percentile(createMs, 0.5),
      };
    } finally {
      await client.close();
    }
  } finally {
    for (const p of processes.reverse()) await p.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function createNodes(client: ApiClient, count: number): Promise<void> {
  await inParallel(count, 16, (i) =>
    client.create<Node>(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `sim-${i}` },
      status: {
        allocatable: { cpu: '32', memory: '128Gi', pods: '110' },
        capacity: { cpu: '32', memory: '128Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    }),
  );
}

async function createPods(
  client: ApiClient,
  prefix: string,
  count: number,
  concurrency: number,
  onCreated?: (name: string, startedAt: number, tookMs: number) => void,
): Promise<void> {
  await inParallel(count, concurrency, async (i) => {
    const name = `${prefix}-${i}`;
    const startedAt = performance.now();
    await client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: {
        containers: [
          { name: 'c', image: 'crucible/sleeper', resources: { requests: { cpu: '10m', memory: '16Mi' } } },
        ],
      },
    });
    onCreated?.(name, startedAt, performance.now() - startedAt);
  });
}

async function inParallel(
  count: number,
  concurrency: number,
  one: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await one(i);
    }),
  );
}
