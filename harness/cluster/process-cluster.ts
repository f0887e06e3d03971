import { spawn } from 'node:child_process';
import { PROCESS_FEATURES } from './cluster-features.js';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterCredentials } from './cluster-credentials.js';
import { ClusterError } from './cluster-error.js';
import type { ClusterMember } from './cluster-plan.js';
import {
  type ClusterRecord,
  type MemberHandle,
  clusterDir,
  controlPlaneEndpoints,
  memberNamed,
  membersOf,
  removeClusterDir,
  writeClusterRecord,
} from './cluster-record.js';
import { hostCommand } from './host-programs.js';
import { isProcessAlive } from './process-identity.js';
import { CLUSTER_LABEL, RUN_LABEL, reapProcesses } from './process-reaper.js';
import { hostPodsDir, unconfineHostPods } from './host-pod-confinement.js';
import { releaseLoopbackSlot, slotOf } from './loopback-slot.js';
import { processTree, signalAll } from './process-tree.js';
import type { ExecResult, PodEscapeTargets, RunningCluster } from './running-cluster.js';
import { pollUntil } from '../support/poll-until.js';
import { releaseCluster } from './cluster-reaper.js';

/**
 * A cluster of the process provider, live: each member a local process, found through the pids in
 * the record (and by the labels in its environment when the record is gone). Starting a member
 * again records its new pid on disk, where the next process finds it.
 */
export class ProcessCluster implements RunningCluster {
  readonly provider = 'process';
  readonly features = PROCESS_FEATURES;
  /** Processes share the host's network: no namespace of their own to filter in. */
  readonly packetFilter = undefined;

  constructor(
    readonly record: ClusterRecord,
    readonly credentials: ClusterCredentials,
  ) {}

  get name(): string {
    return this.record.name;
  }

  get stateDir(): string {
    return clusterDir(this.name);
  }

  async kill(node: string): Promise<void> {
    signalAll(await processTree(this.livePids(node)), 'SIGKILL');
    await this.waitUntilGone(node);
  }

  async pause(node: string): Promise<void> {
    signalAll(await processTree(this.livePids(node)), 'SIGSTOP');
  }

  async unpause(node: string): Promise<void> {
    signalAll(await processTree(this.livePids(node)), 'SIGCONT');
  }

  async stop(node: string): Promise<void> {
    const pids = this.livePids(node);
    // A paused process cannot act on SIGTERM.
    signalAll(await processTree(pids), 'SIGCONT');
    signalAll(pids, 'SIGTERM');
    try {
      await this.waitUntilGone(node, 5000);
    } catch {
      await this.kill(node);
    }
  }

  async start(node: string): Promise<void> {
    for (const member of membersOf(this.record, node)) {
      const pid = this.record.handles[member.name]?.pid;
      if (pid !== undefined && isProcessAlive(pid)) continue;
      this.record.handles[member.name] = await spawnMember(this.record, member);
    }
    await writeClusterRecord(this.record);
  }

  disconnect(): Promise<void> {
    return Promise.reject(noNetwork('disconnect a node from the network'));
  }

  connect(): Promise<void> {
    return Promise.reject(noNetwork('connect a node to the network'));
  }

  async killMember(member: string): Promise<void> {
    const pid = this.record.handles[memberNamed(this.record, member).name]?.pid;
    if (pid === undefined || !isProcessAlive(pid)) return;
    signalAll(await processTree([pid]), 'SIGKILL');
    await pollUntil(() => !isProcessAlive(pid), 5000, `${member} to stop`);
  }

  async startMember(member: string): Promise<void> {
    const m = memberNamed(this.record, member);
    const pid = this.record.handles[m.name]?.pid;
    if (pid !== undefined && isProcessAlive(pid)) return;
    this.record.handles[m.name] = await spawnMember(this.record, m);
    await writeClusterRecord(this.record);
  }

  /** A node of processes has no network of its own to reconnect nor rules to clear. */
  async restore(node: string): Promise<void> {
    await this.unpause(node);
    await this.start(node);
  }

  /** The node is this host: the command runs here, with the cluster's labels in its environment. */
  exec(node: string, command: string[]): Promise<ExecResult> {
    membersOf(this.record, node);
    return new Promise((resolve, reject) => {
      const child = spawn(command[0]!, command.slice(1), { env: labelledEnv(this.record) });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ exitCode: code ?? 1, output }));
    });
  }

  /** A member's own log file; a node's is its members' logs, each under a header when there are several. */
  async logs(nodeOrMember: string): Promise<string> {
    const member = this.record.members.find((m) => m.name === nodeOrMember);
    const members = member ? [member] : membersOf(this.record, nodeOrMember);
    const parts: string[] = [];
    for (const m of members) {
      const file = this.record.handles[m.name]?.logFile;
      const text = file ? await readFile(file, 'utf8').catch(() => '') : '';
      parts.push(members.length > 1 ? `==> ${m.name} <==\n${text}` : text);
    }
    return parts.join('\n');
  }

  podEscapeTargets(): PodEscapeTargets {
    const urls = controlPlaneEndpoints(this.record, this.record.toxiproxy);
    for (const w of this.record.workers) urls[`${w.name} kubelet`] = `http://${w.ip}:${w.kubeletPort}/pods`;
    // The cluster's folder (credentials, kubeconfig, every component's state) and every pod's directory.
    return { files: [clusterDir(this.name), hostPodsDir(this.name, '')], urls };
  }

  async memoryMiB(node: string): Promise<number> {
    const rss = await Promise.all((await processTree(this.livePids(node))).map(rssKiB));
    return rss.reduce((a, b) => a + b, 0) / 1024;
  }

  async liveness(): Promise<string> {
    const alive = Object.values(this.record.handles).filter(
      (h) => h.pid !== undefined && isProcessAlive(h.pid),
    );
    return `processes ${alive.length}/${this.record.members.length} alive`;
  }

  delete(): Promise<number> {
    return removeProcessCluster(this.name, this.record);
  }

  /** Leaves the cluster up when this process ends (a run's `--keep`, `crucible up` once booted). */
  keep(): Promise<void> {
    return releaseCluster(this.name);
  }

  private livePids(node: string): number[] {
    return membersOf(this.record, node)
      .map((m) => this.record.handles[m.name]?.pid)
      .filter((pid): pid is number => pid !== undefined && isProcessAlive(pid));
  }

  private async waitUntilGone(node: string, timeoutMs = 5000): Promise<void> {
    await pollUntil(() => this.livePids(node).length === 0, timeoutMs, `${node} to stop`);
  }
}

/** Stops every process of the cluster (by label, so also what a crashed run left) and removes its folder; how many. */
export async function removeProcessCluster(name: string, record?: ClusterRecord): Promise<number> {
  const stopped = await reapProcesses(name);
  await unconfineHostPods(name);
  await removeClusterDir(name);
  if (record) await releaseLoopbackSlot(slotOf(record.apiservers[0]!), name);
  await releaseCluster(name);
  return stopped;
}

/** Starts one member detached, its output appended to logs/<member>.log. */
export async function spawnMember(record: ClusterRecord, member: ClusterMember): Promise<MemberHandle> {
  const logFile = join(clusterDir(record.name), 'logs', `${member.name}.log`);
  const log = await open(logFile, 'a');
  const { command, args } = hostCommand(member.program, member.args);
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: labelledEnv(record),
  });
  await log.close();
  child.unref();
  return { pid: child.pid!, logFile };
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** This process's environment with the cluster's labels, which is how the reaper finds what it started. */
function labelledEnv(record: ClusterRecord): NodeJS.ProcessEnv {
  return { ...process.env, [CLUSTER_LABEL]: record.name, [RUN_LABEL]: record.runId };
}

function noNetwork(operation: string): ClusterError {
  return new ClusterError(
    'ProviderUnsupported',
    `the process provider cannot ${operation}: its processes share the host's network; cut its Toxiproxy links instead`,
  );
}
