import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finishBoot } from './cluster-boot.js';
import { writeClusterCredentials } from './cluster-credentials.js';
import { type ClusterLayout, type ClusterMember, planCluster } from './cluster-plan.js';
import {
  type ClusterProvider,
  type ExecResult,
  ProviderUnsupportedError,
  memberNamed,
  membersOf,
} from './cluster-provider.js';
import type { ClusterSpec } from './cluster-spec.js';
import { type ClusterState, clusterDir, removeClusterDir, writeState } from './cluster-state.js';
import { hostCommand, realToxiproxyServer } from './host-programs.js';
import { freeLoopbackSlot, loadBalancerAddresses } from './loopback-slot.js';
import { pollUntil } from '../support/poll-until.js';
import { CLUSTER_LABEL, RUN_LABEL, isProcessAlive, reapProcesses } from './process-reaper.js';
import { processTree, signalAll } from './process-tree.js';

/**
 * The process provider: every member of the cluster as a local process, detached from the command
 * that started it so the cluster stays up. The control plane (and Toxiproxy, through which its
 * links run) at 127.0.<slot>.254, worker N at its own loopback address 127.0.<slot>.N — the same
 * host addresses the docker provider publishes on. Every process carries the cluster's name and
 * run id in its environment, which is how `down` and the next `up` find them.
 */
export class ProcessProvider implements ClusterProvider {
  readonly name = 'process';

  async create(
    spec: ClusterSpec,
    progress: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<ClusterState> {
    const name = spec.name;
    const leftovers = await reapProcesses(name, 2000);
    if (leftovers) progress(`removed ${leftovers} process(es) a previous run of ${name} left`);
    await removeClusterDir(name);
    const dir = clusterDir(name);
    await mkdir(join(dir, 'logs'), { recursive: true });
    const runId = randomBytes(4).toString('hex');
    const slot = await freeLoopbackSlot();
    const controlPlane = `127.0.${slot}.254`;
    const layout: ClusterLayout = {
      reach: () => controlPlane,
      bind: () => controlPlane,
      sharedAddress: true,
      workerIp: (n) => `127.0.${slot}.${n}`,
      credentialsDir: dir,
      dataDir: (member) => join(dir, member),
      realToxiproxy: realToxiproxyServer() !== undefined,
      cloudProviderArgs: [
        '--cloud-provider=process',
        `--state-file=${join(dir, 'cluster.json')}`,
        `--load-balancer-dir=${join(dir, 'load-balancers')}`,
        `--load-balancer-addresses=${loadBalancerAddresses(slot)}`,
      ],
    };
    const plan = planCluster(spec, layout);
    const creds = await writeClusterCredentials(dir, [controlPlane], plan.nodeUsers, spec.users);
    const apiservers = plan.apiserverPorts.map((p) => `https://${controlPlane}:${p}`);
    const state: ClusterState = {
      apiVersion: 'crucible.dev/v1alpha1',
      kind: 'ClusterState',
      name,
      runId,
      provider: 'process',
      createdAt: new Date().toISOString(),
      spec,
      apiservers,
      toxiproxy: `http://${controlPlane}:${plan.toxiproxyPort}`,
      links: plan.links,
      workers: plan.workers,
      members: plan.members,
      handles: {},
      kubeconfig: join(dir, 'kubeconfig'),
      caFile: creds.caFile,
      adminToken: creds.tokens.admin,
      userTokens: creds.tokens.users,
    };
    try {
      const started = Date.now();
      // Everything starts at once: each component retries until what it needs answers.
      for (const member of state.members) {
        signal?.throwIfAborted();
        state.handles[member.name] = await spawnMember(state, member);
      }
      progress(
        `${state.members.length} processes starting: control plane at ${controlPlane}, workers at ${plan.workers.map((w) => w.ip).join(', ')}`,
      );
      return await finishBoot(state, creds.caPem, progress, started, signal);
    } catch (e) {
      await reapProcesses(name, 2000);
      await removeClusterDir(name);
      throw e;
    }
  }

  async delete(name: string): Promise<number> {
    const stopped = await reapProcesses(name);
    await removeClusterDir(name);
    return stopped;
  }

  async kill(state: ClusterState, node: string): Promise<void> {
    signalAll(await processTree(livePids(state, node)), 'SIGKILL');
    await waitUntilGone(state, node);
  }

  async pause(state: ClusterState, node: string): Promise<void> {
    signalAll(await processTree(livePids(state, node)), 'SIGSTOP');
  }

  async unpause(state: ClusterState, node: string): Promise<void> {
    signalAll(await processTree(livePids(state, node)), 'SIGCONT');
  }

  async stop(state: ClusterState, node: string): Promise<void> {
    const pids = livePids(state, node);
    // A paused process cannot act on SIGTERM.
    signalAll(await processTree(pids), 'SIGCONT');
    signalAll(pids, 'SIGTERM');
    try {
      await waitUntilGone(state, node, 5000);
    } catch {
      await this.kill(state, node);
    }
  }

  async start(state: ClusterState, node: string): Promise<void> {
    for (const member of membersOf(state, node)) {
      const pid = state.handles[member.name]?.pid;
      if (pid !== undefined && isProcessAlive(pid)) continue;
      state.handles[member.name] = await spawnMember(state, member);
    }
    await writeState(state);
  }

  async killMember(state: ClusterState, member: string): Promise<void> {
    const pid = state.handles[memberNamed(state, member).name]?.pid;
    if (pid === undefined || !isProcessAlive(pid)) return;
    signalAll(await processTree([pid]), 'SIGKILL');
    await pollUntil(() => !isProcessAlive(pid), 5000, `${member} to stop`);
  }

  async startMember(state: ClusterState, member: string): Promise<void> {
    const m = memberNamed(state, member);
    const pid = state.handles[m.name]?.pid;
    if (pid !== undefined && isProcessAlive(pid)) return;
    state.handles[m.name] = await spawnMember(state, m);
    await writeState(state);
  }

  disconnect(): Promise<void> {
    return Promise.reject(
      new ProviderUnsupportedError(
        'process',
        'disconnect a node from the network',
        "its processes share the host's network; cut its Toxiproxy links instead",
      ),
    );
  }

  connect(): Promise<void> {
    return Promise.reject(
      new ProviderUnsupportedError(
        'process',
        'connect a node to the network',
        'it has no network of its own',
      ),
    );
  }

  /** The node is this host: the command runs here, with the cluster's labels in its environment. */
  exec(state: ClusterState, node: string, command: string[]): Promise<ExecResult> {
    membersOf(state, node);
    return new Promise((resolve, reject) => {
      const child = spawn(command[0]!, command.slice(1), {
        env: { ...process.env, [CLUSTER_LABEL]: state.name, [RUN_LABEL]: state.runId },
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ exitCode: code ?? 1, output }));
    });
  }

  async logs(state: ClusterState, node: string): Promise<string> {
    const parts: string[] = [];
    for (const member of membersOf(state, node)) {
      const file = state.handles[member.name]?.logFile;
      const text = file ? await readFile(file, 'utf8').catch(() => '') : '';
      parts.push(membersOf(state, node).length > 1 ? `==> ${member.name} <==\n${text}` : text);
    }
    return parts.join('\n');
  }
}

/** Starts one member detached, its output appended to logs/<member>.log. */
async function spawnMember(
  state: ClusterState,
  member: ClusterMember,
): Promise<{ pid: number; logFile: string }> {
  const logFile = join(clusterDir(state.name), 'logs', `${member.name}.log`);
  const log = await open(logFile, 'a');
  const { command, args } = hostCommand(member.program, member.args);
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: { ...process.env, [CLUSTER_LABEL]: state.name, [RUN_LABEL]: state.runId },
  });
  await log.close();
  child.unref();
  return { pid: child.pid!, logFile };
}

function livePids(state: ClusterState, node: string): number[] {
  return membersOf(state, node)
    .map((m) => state.handles[m.name]?.pid)
    .filter((pid): pid is number => pid !== undefined && isProcessAlive(pid));
}

async function waitUntilGone(state: ClusterState, node: string, timeoutMs = 5000): Promise<void> {
  await pollUntil(() => livePids(state, node).length === 0, timeoutMs, `${node} to stop`);
}
