import type { ClusterCredentials } from './cluster-credentials.js';
import { ALL_FEATURES } from './cluster-features.js';
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
import { ContainerNodes, type NodeContainer } from './container-nodes.js';
import { DOCKER_CLUSTER_LABEL, dockerClient, reapDocker } from './docker-engine.js';
import { DockerPacketFilter } from './docker-packet-filter.js';
import { IMAGE_ORCHESTRATOR_MAIN, IMAGE_PROJECT_DIR, removeOlderNodeImages } from './node-image.js';
import type { ExecResult, PodEscapeTargets, RunningCluster } from './running-cluster.js';
import { clusterDir, removeClusterDir } from './cluster-record.js';
import { releaseCluster } from './cluster-reaper.js';

const IMAGE_CRUCIBLE_CLI = `${IMAGE_PROJECT_DIR}/dist/harness/cli/crucible-cli.js`;

/**
 * A cluster of the docker provider, live: one container per node, found through the record's
 * container ids; the operations on them are ContainerNodes'.
 */
export class DockerCluster implements RunningCluster {
  readonly provider = 'docker';
  readonly features = ALL_FEATURES;
  readonly packetFilter: DockerPacketFilter;
  private readonly nodes: ContainerNodes;

  constructor(
    readonly record: ClusterRecord,
    readonly credentials: ClusterCredentials,
  ) {
    this.nodes = new ContainerNodes((node) => this.locate(node));
    this.packetFilter = new DockerPacketFilter(record, (node) => this.nodes.namespacePid(node));
  }

  get name(): string {
    return this.record.name;
  }

  get stateDir(): string {
    return clusterDir(this.name);
  }

  kill(node: string): Promise<void> {
    return this.nodes.kill(node);
  }

  pause(node: string): Promise<void> {
    return this.nodes.pause(node);
  }

  unpause(node: string): Promise<void> {
    return this.nodes.unpause(node);
  }

  stop(node: string): Promise<void> {
    return this.nodes.stop(node);
  }

  async start(node: string): Promise<void> {
    if (!(await this.nodes.start(node))) return;
    // A started container has a new network namespace: its rules go in again.
    const pid = await this.nodes.namespacePid(node);
    if (pid !== undefined) await confineDockerNode(this.record, node, pid);
  }

  disconnect(node: string): Promise<void> {
    return this.nodes.disconnect(node);
  }

  connect(node: string): Promise<void> {
    return this.nodes.connect(node);
  }

  async killMember(member: string): Promise<void> {
    const m = memberNamed(this.record, member);
    await this.exec(m.node, ['/usr/bin/node', '-e', memberProcessScript(m, 'kill')]);
  }

  async startMember(member: string): Promise<void> {
    const m = memberNamed(this.record, member);
    const running = await this.exec(m.node, ['/usr/bin/node', '-e', memberProcessScript(m, 'probe')]);
    if (running.output.trim() === 'running') return;
    const container = await this.nodes.container(m.node);
    const exec = await container.exec({ Cmd: memberArgv(m), AttachStdout: false, AttachStderr: false });
    await exec.start({ Detach: true });
  }

  async restore(node: string): Promise<void> {
    await this.unpause(node);
    await this.connect(node);
    await this.start(node);
    await this.packetFilter.clear(node);
  }

  exec(node: string, command: string[]): Promise<ExecResult> {
    return this.nodes.exec(node, command);
  }

  /** A node's container log; a member's is its node's (the members of a worker share one log). */
  logs(nodeOrMember: string): Promise<string> {
    const member = this.record.members.find((m) => m.name === nodeOrMember);
    return this.nodes.logs(member?.node ?? nodeOrMember);
  }

  podEscapeTargets(): PodEscapeTargets {
    const urls = controlPlaneEndpoints(this.record, `http://toxiproxy:${TOXIPROXY_API_PORT}`);
    for (const w of this.record.workers)
      urls[`${w.name} kubelet`] = `http://${this.record.handles[w.name]!.ip}:${w.kubeletPort}/pods`;
    // What the node mounts and keeps: credentials, kubelet state, every pod's directory; and root's home.
    return { files: ['/etc/crucible', '/var/lib/crucible', '/root'], urls };
  }

  memoryMiB(node: string): Promise<number> {
    return this.nodes.memoryMiB(node);
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

  /** Leaves the cluster up when this process ends (a run's `--keep`, `crucible up` once booted). */
  keep(): Promise<void> {
    return releaseCluster(this.name);
  }

  private locate(node: string): NodeContainer {
    membersOf(this.record, node);
    const handle = this.record.handles[node];
    if (!handle?.containerId)
      throw new ClusterError(
        'NodeNotFound',
        `cluster "${this.name}": no container recorded for node "${node}"`,
      );
    return {
      containerId: handle.containerId,
      ...(this.record.network && handle.ip
        ? { network: { name: this.record.network.name, ip: handle.ip, aliases: [node] } }
        : {}),
    };
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
  await releaseCluster(name);
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
