import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Node } from '../../orchestrator/api/types.js';
import { type ClusterSpec, workerNames } from './cluster-spec.js';
import { kubeconfig, writeClusterCredentials } from './cluster-credentials.js';
import { ORCHESTRATOR_MAIN, freePort } from './local-control-plane.js';
import { etcdArgs, etcdBinary } from './etcd-command.js';
import { pollUntil } from './poll-until.js';
import { CLUSTER_LABEL, RUN_LABEL, reapProcesses } from './process-reaper.js';

/** What `crucible up` leaves on disk about a cluster; the processes themselves carry its labels. */
export interface ClusterState {
  apiVersion: 'crucible.dev/v1alpha1';
  kind: 'ClusterState';
  name: string;
  runId: string;
  provider: 'process';
  createdAt: string;
  spec: ClusterSpec;
  apiservers: string[];
  etcd: string[];
  workers: { name: string; ip: string; kubeletPort: number; proxyHealthPort: number }[];
  members: { role: string; name: string; pid: number; logFile: string }[];
  kubeconfig: string;
  caFile: string;
  adminToken: string;
}

/** Where clusters keep their state: $CRUCIBLE_HOME, or ~/.crucible. */
export function crucibleHome(): string {
  return process.env.CRUCIBLE_HOME ?? join(homedir(), '.crucible');
}

function clusterDir(name: string): string {
  return join(crucibleHome(), 'clusters', name);
}

/** Every cluster with state on disk. */
export async function listClusters(): Promise<ClusterState[]> {
  const root = join(crucibleHome(), 'clusters');
  const names = await readdir(root).catch(() => [] as string[]);
  const states: ClusterState[] = [];
  for (const name of names) {
    const state = await readState(name);
    if (state) states.push(state);
  }
  return states;
}

export async function readState(name: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(join(clusterDir(name), 'cluster.json'), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/**
 * The process provider: every component of the cluster as a local process, detached from the
 * command that started it so the cluster stays up; worker N at its own loopback address
 * 127.0.<slot>.N, control plane on 127.0.0.1. Every process carries the cluster's name and run
 * id in its environment, which is how `down` and the next `up` find them.
 */
export class ProcessProvider {
  readonly name = 'process';

  /** Boots the cluster; on failure or abort removes everything it started, then rethrows. */
  async create(
    spec: ClusterSpec,
    progress: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<ClusterState> {
    const name = spec.name;
    // What a crashed run of the same cluster left goes first.
    const leftovers = await reapProcesses(name, 2000);
    if (leftovers) progress(`removed ${leftovers} process(es) a previous run of ${name} left`);
    const dir = clusterDir(name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, 'logs'), { recursive: true });
    const runId = randomBytes(4).toString('hex');
    const slot = await freeSlot();
    const workers = workerNames(spec).map((w, i) => ({ name: w, ip: `127.0.${slot}.${i + 1}` }));
    const creds = await writeClusterCredentials(
      dir,
      [],
      workers.map((w) => w.name),
    );
    const members: ClusterState['members'] = [];
    const env = { [CLUSTER_LABEL]: name, [RUN_LABEL]: runId };
    const start = async (role: string, memberName: string, command: string, args: string[]) => {
      signal?.throwIfAborted();
      const logFile = join(dir, 'logs', `${memberName}.log`);
      const log = await open(logFile, 'a');
      const child = spawn(command, args, {
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
        env: { ...process.env, ...env },
      });
      await log.close();
      child.unref();
      members.push({ role, name: memberName, pid: child.pid!, logFile });
      return logFile;
    };
    try {
      const started = Date.now();
      // etcd
      const etcdPorts = await Promise.all(
        Array.from({ length: spec.etcd.members }, async () => ({
          client: await freePort(),
          peer: await freePort(),
        })),
      );
      const cluster = etcdPorts.map((p, i) => `etcd-${i}=http://127.0.0.1:${p.peer}`).join(',');
      const etcdUrls = etcdPorts.map((p) => `http://127.0.0.1:${p.client}`);
      const etcdLogs = await Promise.all(
        etcdPorts.map((p, i) =>
          start(
            'etcd',
            `etcd-${i}`,
            etcdBinary(),
            etcdArgs({
              name: `etcd-${i}`,
              dataDir: join(dir, `etcd-${i}`),
              clientPort: p.client,
              peerPort: p.peer,
              initialCluster: cluster,
            }),
          ),
        ),
      );
      progress(`etcd: ${spec.etcd.members} member(s) starting`);
      // apiservers
      const timing =
        spec.timing === 'fast'
          ? ['--default-not-ready-toleration-seconds=1', '--default-unreachable-toleration-seconds=1']
          : [];
      const apiPorts = await Promise.all(
        Array.from({ length: spec.controlPlane.apiservers }, () => freePort()),
      );
      const apiservers = apiPorts.map((p) => `https://127.0.0.1:${p}`);
      for (const [i, port] of apiPorts.entries()) {
        await start('apiserver', `apiserver-${i}`, process.execPath, [
          ORCHESTRATOR_MAIN,
          'apiserver',
          `--etcd-servers=${etcdUrls.join(',')}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${port}`,
          `--tls-cert-file=${creds.certFile}`,
          `--tls-private-key-file=${creds.keyFile}`,
          `--token-auth-file=${creds.tokenFile}`,
          ...timing,
        ]);
      }
      const common = (token: string) => [
        `--server=${apiservers.join(',')}`,
        `--token=${token}`,
        `--certificate-authority=${creds.caFile}`,
        `--profile=${spec.timing}`,
      ];
      for (let i = 0; i < spec.controlPlane.schedulers; i++) {
        await start('scheduler', `scheduler-${i}`, process.execPath, [
          ORCHESTRATOR_MAIN,
          'scheduler',
          ...common(creds.tokens.scheduler),
          `--identity=scheduler-${i}`,
        ]);
      }
      for (let i = 0; i < spec.controlPlane.controllerManagers; i++) {
        await start('controller-manager', `controller-manager-${i}`, process.execPath, [
          ORCHESTRATOR_MAIN,
          'controller-manager',
          ...common(creds.tokens.controllerManager),
          `--identity=controller-manager-${i}`,
        ]);
      }
      const workerState: ClusterState['workers'] = [];
      const groups = spec.workers.flatMap((g) => Array.from({ length: g.count }, () => g));
      for (const [i, w] of workers.entries()) {
        const group = groups[i]!;
        const kubeletPort = 10250;
        const proxyHealthPort = 10256;
        await start('kubelet', `${w.name}-kubelet`, process.execPath, [
          ORCHESTRATOR_MAIN,
          'kubelet',
          ...common(creds.tokens.kubelets[w.name]!),
          `--node-name=${w.name}`,
          `--node-ip=${w.ip}`,
          `--root-dir=${join(dir, w.name)}`,
          `--port=${kubeletPort}`,
          `--capacity=cpu=${group.capacity.cpu},memory=${group.capacity.memory},pods=${group.capacity.pods}`,
        ]);
        await start('kube-proxy', `${w.name}-kube-proxy`, process.execPath, [
          ORCHESTRATOR_MAIN,
          'kube-proxy',
          ...common(creds.tokens.kubeProxy),
          `--node-name=${w.name}`,
          `--bind-address=${w.ip}`,
          `--healthz-port=${proxyHealthPort}`,
        ]);
        workerState.push({ ...w, kubeletPort, proxyHealthPort });
      }
      progress(`${workers.length} worker(s) starting at ${workers.map((w) => w.ip).join(', ')}`);
      // Everything started at once: each component retries until what it needs answers.
      await Promise.all(
        etcdLogs.map((f) =>
          pollUntil(
            async () => (await readFile(f, 'utf8')).includes('serving client traffic'),
            20_000,
            `etcd log ${f}`,
          ),
        ),
      );
      const agent = new Agent({ connect: { ca: creds.caPem } });
      try {
        await Promise.all(
          apiservers.map((url) =>
            pollUntil(() => answers200(`${url}/readyz`, agent), 20_000, `${url}/readyz`),
          ),
        );
      } finally {
        await agent.close();
      }
      progress(`apiserver: ${apiservers.join(', ')} ready`);
      const client = new ApiClient({ servers: apiservers, token: creds.tokens.admin, caPem: creds.caPem });
      try {
        await pollUntil(
          async () => {
            signal?.throwIfAborted();
            const nodes = (
              await client.list<Node>(findResource('', 'v1', 'nodes')!).catch(() => ({ items: [] as Node[] }))
            ).items;
            return (
              nodes.filter((n) =>
                n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
              ).length === workers.length
            );
          },
          30_000,
          'all nodes Ready',
        );
      } finally {
        await client.close();
      }
      progress(`all ${workers.length} nodes Ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const kubeconfigFile = join(dir, 'kubeconfig');
      await writeFile(kubeconfigFile, kubeconfig(name, apiservers[0]!, creds.caPem, creds.tokens.admin), {
        mode: 0o600,
      });
      const state: ClusterState = {
        apiVersion: 'crucible.dev/v1alpha1',
        kind: 'ClusterState',
        name,
        runId,
        provider: 'process',
        createdAt: new Date().toISOString(),
        spec,
        apiservers,
        etcd: etcdUrls,
        workers: workerState,
        members,
        kubeconfig: kubeconfigFile,
        caFile: creds.caFile,
        adminToken: creds.tokens.admin,
      };
      await writeFile(join(dir, 'cluster.json'), JSON.stringify(state, null, 2));
      return state;
    } catch (e) {
      await reapProcesses(name, 2000);
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Stops every process of the cluster (found by label, so also those of a crashed run) and removes its state. */
  async delete(name: string): Promise<number> {
    const stopped = await reapProcesses(name);
    await rm(clusterDir(name), { recursive: true, force: true });
    return stopped;
  }
}

/**
 * The third octet of the workers' loopback addresses: one per live cluster. A slot is free when
 * no cluster of this home holds it and its first worker's kubelet port can be bound (another
 * home's cluster may hold it).
 */
async function freeSlot(): Promise<number> {
  const used = new Set((await listClusters()).map((c) => Number(c.workers[0]?.ip.split('.')[2])));
  for (let slot = 1; slot < 255; slot++)
    if (!used.has(slot) && (await canBind(`127.0.${slot}.1`, 10250))) return slot;
  throw new Error('no free loopback slot for another cluster: run `crucible down --all`');
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function answers200(url: string, dispatcher: Agent): Promise<boolean> {
  try {
    const res = await request(url, { dispatcher });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}
