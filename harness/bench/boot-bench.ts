import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment, Service } from '../../orchestrator/api/types.js';
import {
  adminClient,
  buildNodeImage,
  defaultClusterSpec,
  DOCKER_CLUSTER_LABEL,
  PROJECT_ROOT,
  providerFor,
  type ProviderName,
} from '../cluster/index.js';
import { dockerClient, sleep } from '../support/index.js';

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
    const cluster = await provider.create(spec, progress);
    const nodesReadyMs = performance.now() - started;
    const client = adminClient(cluster);
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
        // Its node port from the apiserver: any of the range is published on the host.
        spec: { type: 'NodePort', selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
      });
      const url = `http://${cluster.record.workers[0]!.ip}:${svc.spec.ports![0]!.nodePort}/`;
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
    const workerMemoryMiB = await cluster.memoryMiB(cluster.record.workers[0]!.name);
    await cluster.delete();
    const units = new Set(cluster.record.members.map((m) => (image ? m.node : m.name))).size;
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
