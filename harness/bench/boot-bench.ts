import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment, Service } from '../../orchestrator/api/types.js';
import { providerFor } from '../cluster/choose-provider.js';
import { defaultClusterSpec } from '../cluster/cluster-spec.js';
import type { ClusterState, ProviderName } from '../cluster/cluster-state.js';
import { DOCKER_CLUSTER_LABEL, dockerClient } from '../cluster/docker-engine.js';
import { buildNodeImage } from '../cluster/node-image.js';
import { PROJECT_ROOT } from '../cluster/host-programs.js';
import { processTree } from '../cluster/process-tree.js';
import { sleep } from '../support/index.js';

export interface BootBenchResult {
  provider: ProviderName;
  workers: number;
  /** Command start → every node Ready. */
  nodesReadyMs: number;
  /** Command start → a Service deployed afterwards answers through a node port. */
  serviceAnsweringMs: number;
  /** Floor: as many bare Node.js processes (process) or node-image containers (docker) started in parallel, until each printed. */
  bareStartMs: number;
  /** Resident memory of one worker's kubelet and kube-proxy, and of its pods' processes, in MiB. */
  workerMemoryMiB: number;
}

/**
 * Boot time of a 1 control plane + `workers` cluster, as `crucible up` then `kubectl apply` would
 * see it, and memory per worker. For docker the node image is built beforehand (a cached build
 * is what a user's second `up` sees).
 */
export async function benchBoot(
  providerName: ProviderName,
  workers: number,
  progress: (line: string) => void,
): Promise<BootBenchResult> {
  const image =
    providerName === 'docker' ? await buildNodeImage({ projectRoot: PROJECT_ROOT, progress }) : undefined;
  const home = await mkdtemp(join(tmpdir(), 'crucible-bench-boot-'));
  const previousHome = process.env.CRUCIBLE_HOME;
  process.env.CRUCIBLE_HOME = home;
  const name = `bench${process.pid}`;
  const provider = providerFor(providerName);
  try {
    const started = performance.now();
    const spec = defaultClusterSpec({ name, workers });
    const state = await provider.create(spec, progress);
    const nodesReadyMs = performance.now() - started;
    const client = new ApiClient({
      servers: state.apiservers,
      token: state.adminToken,
      caPem: await readFile(state.caFile, 'utf8'),
    });
    try {
      const labels = { app: 'boot' };
      await client.create<Deployment>(findResource('apps', 'v1', 'deployments')!, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'boot', namespace: 'default' },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [{ name: 'echo', image: 'crucible/echo', ports: [{ containerPort: 8080 }] }],
            },
          },
        },
      });
      const svc = await client.create<Service>(findResource('', 'v1', 'services')!, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'boot', namespace: 'default' },
        // A node port the docker provider publishes on the host.
        spec: {
          type: 'NodePort',
          selector: labels,
          ports: [{ port: 80, targetPort: 8080, nodePort: spec.nodePorts[0] }],
        },
      });
      const url = `http://${state.workers[0]!.ip}:${svc.spec.ports![0]!.nodePort}/`;
      for (;;) {
        const res = await request(url, { reset: true, headersTimeout: 1000 }).catch(() => undefined);
        await res?.body.dump();
        if (res?.statusCode === 200) break;
        if (performance.now() - started > 60_000) throw new Error(`${url} never answered`);
        await sleep(20);
      }
    } finally {
      await client.close();
    }
    const serviceAnsweringMs = performance.now() - started;
    const workerMemoryMiB = await workerMemory(state);
    await provider.delete(name);
    const units = new Set(state.members.map((m) => (image ? m.node : m.name))).size;
    const bareStartMs = image ? await bareContainers(image, units) : await bareProcesses(units);
    return {
      provider: providerName,
      workers,
      nodesReadyMs,
      serviceAnsweringMs,
      bareStartMs,
      workerMemoryMiB,
    };
  } finally {
    await provider.delete(name).catch(() => 0);
    if (previousHome === undefined) delete process.env.CRUCIBLE_HOME;
    else process.env.CRUCIBLE_HOME = previousHome;
    await rm(home, { recursive: true, force: true });
  }
}

/** Memory of the first worker: its processes' resident sets, or its container's usage less page cache. */
async function workerMemory(state: ClusterState): Promise<number> {
  const worker = state.workers[0]!.name;
  if (state.provider === 'docker') {
    const container = (await dockerClient()).getContainer(state.handles[worker]!.containerId!);
    const stats = (await container.stats({ stream: false })) as unknown as {
      memory_stats: { usage: number; stats?: { cache?: number } };
    };
    return (stats.memory_stats.usage - (stats.memory_stats.stats?.cache ?? 0)) / 2 ** 20;
  }
  const pids = state.members.filter((m) => m.node === worker).map((m) => state.handles[m.name]!.pid!);
  const rss = await Promise.all((await processTree(pids)).map(rssKiB));
  return rss.reduce((a, b) => a + b, 0) / 1024;
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Starts `count` bare Node.js processes in parallel and waits until each has printed. */
async function bareProcesses(count: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const child = spawn(process.execPath, ['-e', 'console.log("up")']);
          child.stdout.once('data', () => resolve());
          child.once('exit', () => resolve());
        }),
    ),
  );
  return performance.now() - started;
}

/** Creates and starts `count` containers of the node image running a bare `node -e`, in parallel, until each exited. */
async function bareContainers(image: string, count: number): Promise<number> {
  const docker = await dockerClient();
  const started = performance.now();
  const containers = await Promise.all(
    Array.from({ length: count }, async () => {
      const c = await docker.createContainer({
        Image: image,
        Entrypoint: ['/usr/bin/node', '-e', 'console.log("up")'],
        Labels: { [DOCKER_CLUSTER_LABEL]: 'bench-floor' },
      });
      await c.start();
      await c.wait();
      return c;
    }),
  );
  const elapsed = performance.now() - started;
  await Promise.all(containers.map((c) => c.remove({ force: true })));
  return elapsed;
}
