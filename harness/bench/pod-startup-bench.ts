import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { formatImageFlag } from '../../orchestrator/api/loaded-image.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Pod } from '../../orchestrator/api/types.js';
import {
  componentNodeArgs,
  LocalProcess,
  ORCHESTRATOR_MAIN,
  startLocalControlPlane,
} from '../cluster/index.js';
import { pollUntil } from '../support/poll-until.js';
import { percentile } from './percentile.js';

const PODS = findResource('', 'v1', 'pods')!;

/**
 * What each pod runs: `sleeper` is crucible/sleeper, a Node.js program (tens of milliseconds of
 * CPU to start, each); `pause` is a loaded image running `sleep infinity`, as the pause container
 * Kubernetes' own density tests measure startup with: what the orchestrator itself costs.
 */
export type StartupContainer = 'sleeper' | 'pause';

/** The pause image, loaded onto the bench's kubelet as `sleep infinity`. */
const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

export interface PodStartupOptions {
  pods: number;
  container: StartupContainer;
  /** Creates in flight at once. */
  concurrency: number;
  progress: (line: string) => void;
}

export interface PodStartupResult {
  pods: number;
  container: StartupContainer;
  /** Create request sent → the pod seen Running and Ready through a watch. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Floor: the create request alone. */
  createP50Ms: number;
}

/**
 * Pod startup latency as Kubernetes' SLO defines it (created → Running and Ready, observed
 * through a watch), for pods created with spec.nodeName on a real kubelet that starts each as a
 * process; real etcd and apiserver.
 */
export async function benchPodStartup(opts: PodStartupOptions): Promise<PodStartupResult> {
  const dir = await mkdtemp(join(tmpdir(), 'crucible-bench-startup-'));
  const processes: LocalProcess[] = [];
  const token = randomBytes(16).toString('hex');
  await writeFile(join(dir, 'tokens.csv'), `${token},bench,uid-bench,"system:masters"\n`);
  try {
    const cp = await startLocalControlPlane({ dir, tokenFile: join(dir, 'tokens.csv'), processes });
    const kubelet = new LocalProcess({
      name: 'kubelet',
      command: process.execPath,
      args: [
        ...componentNodeArgs(),
        ORCHESTRATOR_MAIN,
        'kubelet',
        `--server=${cp.apiserverUrl}`,
        `--token=${token}`,
        `--certificate-authority=${cp.caFile}`,
        '--node-name=bench-node',
        '--node-ip=127.0.0.1',
        `--root-dir=${join(dir, 'kubelet')}`,
        '--port=0',
        '--capacity=cpu=64,memory=256Gi,pods=1000',
        '--log-level=warn',
        ...(opts.container === 'pause'
          ? [`--image=${formatImageFlag({ image: PAUSE_IMAGE, dir, command: ['sleep', 'infinity'] })}`]
          : []),
      ],
      logFile: join(dir, 'kubelet.log'),
      // Ready is judged below by its Node object appearing.
      ready: () => Promise.resolve(),
    });
    processes.push(kubelet);
    await kubelet.start();
    const client = new ApiClient({ servers: [cp.apiserverUrl], token, caPem: cp.caPem });
    try {
      await pollUntil(
        async () => Boolean(await client.tryGet(findResource('', 'v1', 'nodes')!, '', 'bench-node')),
        15_000,
        'node registered',
      );
      opts.progress('kubelet registered its node');
      const ready = new Map<string, number>();
      const abort = new AbortController();
      const rv = (await client.list(PODS, 'default', { limit: 1 })).metadata.resourceVersion;
      const watching = client
        .watch<Pod>(
          PODS,
          'default',
          { resourceVersion: rv },
          (ev) => {
            const pod = ev.object as Pod;
            const isReady =
              pod.status?.phase === 'Running' &&
              pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
            if (isReady && !ready.has(pod.metadata.name!)) ready.set(pod.metadata.name!, performance.now());
          },
          abort.signal,
        )
        .catch(() => undefined);
      const created = new Map<string, number>();
      const createMs: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          for (let i = next++; i < opts.pods; i = next++) {
            const name = `startup-${i}`;
            const started = performance.now();
            created.set(name, started);
            await client.create<Pod>(PODS, {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name, namespace: 'default' },
              spec: {
                nodeName: 'bench-node',
                containers: [
                  { name: 'c', image: opts.container === 'pause' ? PAUSE_IMAGE : 'crucible/sleeper' },
                ],
              },
            });
            createMs.push(performance.now() - started);
          }
        }),
      );
      await pollUntil(() => ready.size >= opts.pods, 120_000, `${opts.pods} pods ready`);
      abort.abort();
      await watching;
      const latencies = [...created.entries()].map(([n, t]) => ready.get(n)! - t).sort((a, b) => a - b);
      createMs.sort((a, b) => a - b);
      // Remove the pods so the kubelet stops their processes before it goes.
      await Promise.all(
        [...created.keys()].map((n) =>
          client.delete(PODS, 'default', n, { gracePeriodSeconds: 0 }).catch(() => undefined),
        ),
      );
      return {
        pods: opts.pods,
        container: opts.container,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: latencies[latencies.length - 1] ?? 0,
        createP50Ms: percentile(createMs, 0.5),
      };
    } finally {
      await client.close();
    }
  } finally {
    for (const p of processes.reverse()) await p.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
