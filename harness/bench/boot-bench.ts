import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment, Service } from '../../orchestrator/api/types.js';
import { defaultClusterSpec } from '../cluster/cluster-spec.js';
import { ProcessProvider } from '../cluster/process-provider.js';

export interface BootBenchResult {
  workers: number;
  /** Command start → every node Ready. */
  nodesReadyMs: number;
  /** Command start → a Service deployed afterwards answers through a node port. */
  serviceAnsweringMs: number;
  /** Floor: the same number of Node.js processes started bare, in parallel, until each printed. */
  bareProcessesMs: number;
  /** Resident memory of one worker's kubelet and kube-proxy, and of its pods' processes, in MiB. */
  workerMemoryMiB: number;
}

/**
 * Boot time of a 1 control plane + `workers` cluster with the process provider, as `crucible up`
 * then `kubectl apply` would see it, and memory per worker.
 */
export async function benchBoot(workers: number, progress: (line: string) => void): Promise<BootBenchResult> {
  const home = await mkdtemp(join(tmpdir(), 'crucible-bench-boot-'));
  const previousHome = process.env.CRUCIBLE_HOME;
  process.env.CRUCIBLE_HOME = home;
  const name = `bench${process.pid}`;
  const provider = new ProcessProvider();
  try {
    const started = performance.now();
    const state = await provider.create(defaultClusterSpec({ name, workers }), progress);
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
        spec: { type: 'NodePort', selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
      });
      const url = `http://${state.workers[0]!.ip}:${svc.spec.ports![0]!.nodePort}/`;
      for (;;) {
        const res = await request(url, { reset: true, headersTimeout: 1000 }).catch(() => undefined);
        await res?.body.dump();
        if (res?.statusCode === 200) break;
        if (performance.now() - started > 60_000) throw new Error(`${url} never answered`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await client.close();
    }
    const serviceAnsweringMs = performance.now() - started;
    const worker = state.workers[0]!.name;
    const pids = state.members.filter((m) => m.name.startsWith(`${worker}-`)).map((m) => m.pid);
    const workerMemoryMiB = (await Promise.all(pids.map(treeRssKiB))).reduce((a, b) => a + b, 0) / 1024;
    await provider.delete(name);
    const bareProcessesMs = await bareStart(state.members.length);
    return { workers, nodesReadyMs, serviceAnsweringMs, bareProcessesMs, workerMemoryMiB };
  } finally {
    await provider.delete(name).catch(() => 0);
    if (previousHome === undefined) delete process.env.CRUCIBLE_HOME;
    else process.env.CRUCIBLE_HOME = previousHome;
    await rm(home, { recursive: true, force: true });
  }
}

/** Resident memory of a process and all its descendants, in KiB (from /proc). */
async function treeRssKiB(pid: number): Promise<number> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => ''))
    .split(' ')
    .filter(Boolean)
    .map(Number);
  const own = Number(
    /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1] ?? 0,
  );
  return own + (await Promise.all(children.map(treeRssKiB))).reduce((a, b) => a + b, 0);
}

/** Starts `count` bare Node.js processes in parallel and waits until each has printed. */
async function bareStart(count: number): Promise<number> {
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
