import type { ClusterCredentials } from './cluster-credentials.js';
import { ClusterError } from './cluster-error.js';
import { APISERVER_PORT, type ClusterMember, TOXIPROXY_API_PORT } from './cluster-plan.js';
import { harnessOnlyApiRules, podFirewallRules } from './cluster-firewall.js';
import { applyRules } from './iptables-rules.js';
import { releaseLoopbackSlot, slotOf } from './loopback-slot.js';
import {
  type ClusterRecord,
  controlPlaneEndpoints,
  memberNamed,
  membersOf,
  nodeNames,
} from './cluster-record.js';
import {
  DOCKER_CLUSTER_LABEL,
  demuxDockerStream,
  dockerClient,
  ignoreStatus,
  reapDocker,
} from './docker-engine.js';
import { DockerPacketFilter } from './docker-packet-filter.js';
import { IMAGE_ORCHESTRATOR_MAIN, IMAGE_PROJECT_DIR, removeOlderNodeImages } from './node-image.js';
import type { ExecResult, PodEscapeTargets, RunningCluster } from './running-cluster.js';
import { removeClusterDir } from './cluster-record.js';

export const STOP_TIMEOUT_SECONDS = 2;
const IMAGE_CRUCIBLE_CLI = `${IMAGE_PROJECT_DIR}/dist/harness/cli/crucible-cli.js`;

/**
 * A cluster of the docker provider, live: one container per node, found through the record's
 * container ids. Each operation looks at the container first, so that repeating it does nothing:
 * the engine answers 500 (not 304/409) to "unpause a running container" or "disconnect a
 * disconnected one".
 */
export class DockerCluster implements RunningCluster {
  readonly provider = 'docker';
  readonly packetFilter: DockerPacketFilter;

  constructor(
    readonly record: ClusterRecord,
    readonly credentials: ClusterCredentials,
  ) {
    this.packetFilter = new DockerPacketFilter(record, (node) => this.namespacePid(node));
  }

  get name(): string {
    return this.record.name;
  }

  async kill(node: string): Promise<void> {
    const { container, info } = await this.inspect(node);
    if (info.State.Running) await ignoreStatus(container.kill(), 409);
  }

  async pause(node: string): Promise<void> {
    const { container, info } = await this.inspect(node);
    if (info.State.Running && !info.State.Paused) await container.pause();
  }

  async unpause(node: string): Promise<void> {
    const { container, info } = await this.inspect(node);
    if (info.State.Paused) await container.unpause();
  }

  async stop(node: string): Promise<void> {
    const { container, info } = await this.inspect(node);
    if (info.State.Paused) await container.unpause();
    if (info.State.Running) await ignoreStatus(container.stop({ t: STOP_TIMEOUT_SECONDS }), 304);
  }

  async start(node: string): Promise<void> {
    const { container, info } = await this.inspect(node);
    if (info.State.Paused) await container.unpause();
    else if (!info.State.Running) {
      await ignoreStatus(container.start(), 304);
      // A started container has a new network namespace: its rules go in again.
      const pid = await this.namespacePid(node);
      if (pid !== undefined) await confineDockerNode(this.record, node, pid);
    }
  }

  async disconnect(node: string): Promise<void> {
    const { info, network, networkName } = await this.attachment(node);
    if (info.NetworkSettings.Networks[networkName])
      await network.disconnect({ Container: info.Id, Force: true });
  }

  async connect(node: string): Promise<void> {
    const { info, network, networkName, ip } = await this.attachment(node);
    // The same address and alias as before, else peers and Toxiproxy would not find it again.
    if (!info.NetworkSettings.Networks[networkName])
      await network.connect({
        Container: info.Id,
        EndpointConfig: { IPAMConfig: { IPv4Address: ip }, Aliases: [node] },
      });
  }

  async killMember(member: string): Promise<void> {
    const m = memberNamed(this.record, member);
    await this.exec(m.node, ['/usr/bin/node', '-e', memberProcessScript(m, 'kill')]);
  }

  async startMember(member: string): Promise<void> {
    const m = memberNamed(this.record, member);
    const running = await this.exec(m.node, ['/usr/bin/node', '-e', memberProcessScript(m, 'probe')]);
    if (running.output.trim() === 'running') return;
    const container = await this.container(m.node);
    const exec = await container.exec({ Cmd: memberArgv(m), AttachStdout: false, AttachStderr: false });
    await exec.start({ Detach: true });
  }

  async restore(node: string): Promise<void> {
    await this.unpause(node);
    await this.connect(node);
    await this.start(node);
    await this.packetFilter.clear(node);
  }

  async exec(node: string, command: string[]): Promise<ExecResult> {
    const container = await this.container(node);
    const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.once('end', resolve);
      stream.once('error', reject);
    });
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? 1, output: demuxDockerStream(Buffer.concat(chunks)) };
  }

  /** A node's container log; a member's is its node's (the members of a worker share one log). */
  async logs(nodeOrMember: string): Promise<string> {
    const member = this.record.members.find((m) => m.name === nodeOrMember);
    const container = await this.container(member?.node ?? nodeOrMember);
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return demuxDockerStream(raw);
  }

  podEscapeTargets(): PodEscapeTargets {
    const urls = controlPlaneEndpoints(this.record, `http://toxiproxy:${TOXIPROXY_API_PORT}`);
    for (const w of this.record.workers)
      urls[`${w.name} kubelet`] = `http://${this.record.handles[w.name]!.ip}:${w.kubeletPort}/pods`;
    // What the node mounts and keeps: credentials, kubelet state, every pod's directory; and root's home.
    return { files: ['/etc/crucible', '/var/lib/crucible', '/root'], urls };
  }

  async memoryMiB(node: string): Promise<number> {
    const stats = (await (await this.container(node)).stats({ stream: false })) as unknown as {
      memory_stats: { usage: number; stats?: { cache?: number } };
    };
    return (stats.memory_stats.usage - (stats.memory_stats.stats?.cache ?? 0)) / 2 ** 20;
  }

  async liveness(): Promise<string> {
    // What the engine says of the cluster's containers, found by label like everything else.
    const containers = await (
      await dockerClient()
    ).listContainers({
      all: true,
      filters: JSON.stringify({ label: [`${DOCKER_CLUSTER_LABEL}=${this.name}`] }),
    });
    const running = containers.filter((c) => c.State === 'running').length;
    return `containers ${running}/${nodeNames(this.record).length} running`;
  }

  delete(): Promise<number> {
    return removeDockerCluster(this.name, this.record);
  }

  private async container(node: string) {
    membersOf(this.record, node);
    const id = this.record.handles[node]?.containerId;
    if (!id)
      throw new ClusterError(
        'NodeNotFound',
        `cluster "${this.name}": no container recorded for node "${node}"`,
      );
    return (await dockerClient()).getContainer(id);
  }

  private async inspect(node: string) {
    const container = await this.container(node);
    return { container, info: await container.inspect() };
  }

  private async attachment(node: string) {
    const { info } = await this.inspect(node);
    const ip = this.record.handles[node]?.ip;
    if (!this.record.network || !ip)
      throw new ClusterError(
        'NodeNotFound',
        `cluster "${this.name}": no network address recorded for "${node}"`,
      );
    const networkName = this.record.network.name;
    return { info, network: (await dockerClient()).getNetwork(networkName), networkName, ip };
  }

  /** The pid of the container's first process, whose network namespace is the container's; undefined when it is not running. */
  private async namespacePid(node: string): Promise<number | undefined> {
    const { info } = await this.inspect(node);
    return info.State.Running ? info.State.Pid : undefined;
  }
}

/**
 * Closes what a node's network namespace must close, whenever the container (re)starts: on a
 * worker, the control plane to its pods (they reach the apiserver only); on Toxiproxy, its API to
 * everyone but the harness. Applying twice is applying once.
 */
export async function confineDockerNode(record: ClusterRecord, node: string, pid: number): Promise<void> {
  const comment = `crucible-confine:${record.name}`;
  const gateway = record.network!.subnet.replace(/\.0\/24$/, '.1');
  if (node === 'toxiproxy') {
    await applyRules(harnessOnlyApiRules(TOXIPROXY_API_PORT, gateway, comment), comment, pid);
    return;
  }
  if (!record.workers.some((w) => w.name === node)) return;
  const prefix = gateway.slice(0, -1);
  const apiservers = nodeNames(record)
    .filter((n) => n.startsWith('apiserver-'))
    .map((n) => ({ address: record.handles[n]!.ip!, port: APISERVER_PORT }));
  await applyRules(
    podFirewallRules({ apiservers, controlPlane: `${prefix}1-${prefix}99` }, comment),
    comment,
    pid,
  );
}

/**
 * Removes every container and the network of the cluster (by label, so also what a crashed run
 * left) and its folder, then node images no container uses any more; how many things it removed.
 */
export async function removeDockerCluster(name: string, record?: ClusterRecord): Promise<number> {
  const removed = await reapDocker(name);
  await removeClusterDir(name);
  if (record) await releaseLoopbackSlot(slotOf(record.apiservers[0]!), name);
  if (record?.image) await removeOlderNodeImages(record.image);
  return removed;
}

/** A member's command line inside the node image. */
export function memberArgv(m: ClusterMember): string[] {
  switch (m.program) {
    case 'etcd':
      return ['/usr/bin/etcd', ...m.args];
    case 'orchestrator':
      return ['/usr/bin/node', IMAGE_ORCHESTRATOR_MAIN, ...m.args];
    case 'crucible':
      return ['/usr/bin/node', IMAGE_CRUCIBLE_CLI, ...m.args];
    case 'toxiproxy-server':
      return ['/toxiproxy', ...m.args];
  }
}

/**
 * A node script run inside a worker's container, which has no kill or pgrep: it finds the
 * member's processes by command line, then SIGKILLs them (`kill`) or prints whether one runs
 * (`probe`: `running` or `stopped`).
 */
function memberProcessScript(m: ClusterMember, action: 'kill' | 'probe'): string {
  return `const fs = require('fs');
    const pids = fs.readdirSync('/proc').filter((p) => { try {
      const argv = fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').split('\\0');
      return argv[1] === ${JSON.stringify(IMAGE_ORCHESTRATOR_MAIN)} && argv[2] === ${JSON.stringify(m.args[0])};
    } catch { return false; } });
    ${action === 'kill' ? "for (const p of pids) process.kill(Number(p), 'SIGKILL');" : "console.log(pids.length ? 'running' : 'stopped');"}`;
}
