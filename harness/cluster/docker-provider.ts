import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finishBoot } from './cluster-boot.js';
import { writeClusterCredentials } from './cluster-credentials.js';
import {
  type ClusterLayout,
  type ClusterMember,
  KUBELET_PORT,
  PROXY_HEALTH_PORT,
  planCluster,
} from './cluster-plan.js';
import { type ClusterProvider, type ExecResult, memberNamed, membersOf } from './cluster-provider.js';
import type { ClusterSpec } from './cluster-spec.js';
import { type ClusterState, clusterDir, readState, removeClusterDir } from './cluster-state.js';
import {
  DOCKER_CLUSTER_LABEL,
  DOCKER_NODE_LABEL,
  DOCKER_RUN_LABEL,
  type DockerClient,
  demuxDockerStream,
  dockerClient,
  ignoreStatus,
  reapDocker,
} from './docker-engine.js';
import { PROJECT_ROOT } from './host-programs.js';
import { freeLoopbackSlot, loadBalancerAddresses } from './loopback-slot.js';
import {
  IMAGE_ORCHESTRATOR_MAIN,
  IMAGE_PROJECT_DIR,
  buildNodeImage,
  removeOlderNodeImages,
} from './node-image.js';

/** Where the cluster's credentials are mounted in every container (read-only). */
const CREDENTIALS_DIR = '/etc/crucible';
const IMAGE_CRUCIBLE_CLI = `${IMAGE_PROJECT_DIR}/dist/harness/cli/crucible-cli.js`;
const STOP_TIMEOUT_SECONDS = 2;
const DOCKER_SOCKET = '/var/run/docker.sock';

export interface DockerProviderOptions {
  /** Build the node image on this image instead of `scratch` (see buildNodeImage). */
  baseImage?: string;
}

/**
 * The docker provider: one container of the node image per control-plane component (etcd-N,
 * apiserver-N, scheduler-N, controller-manager-N), per worker (kubelet, kube-proxy and its pods)
 * and for Toxiproxy, on a private network with a subnet of its own, fixed addresses and the
 * node's name as alias, so a stopped, killed or disconnected container comes back as it was.
 *
 * From the host, with the process provider's addresses: the apiservers at 127.0.<slot>.254:6443+i,
 * the Toxiproxy API at 127.0.<slot>.254:8474, worker N at 127.0.<slot>.N (kubelet :10250,
 * kube-proxy health :10256 and the spec's node ports). Host ports are fixed, so a restarted
 * container is found where it was. With a cloud-controller-manager, each Service of type
 * LoadBalancer gets a balancer container whose ports are published at 127.0.<slot>.200+k (see
 * loadBalancerAddresses): an address of its own, so it can take the Service's own port.
 *
 * Containers are created with the engine client (dockerode, through testcontainers) rather than
 * GenericContainer, which cannot give a container a fixed address, bind a published port to a
 * host address, or keep it off the default bridge.
 */
export class DockerProvider implements ClusterProvider {
  readonly name = 'docker';

  constructor(private readonly options: DockerProviderOptions = {}) {}

  async create(
    spec: ClusterSpec,
    progress: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<ClusterState> {
    const name = spec.name;
    const docker = await dockerClient();
    const leftovers = await reapDocker(name);
    if (leftovers)
      progress(`removed ${leftovers} container(s) and network(s) a previous run of ${name} left`);
    await removeClusterDir(name);
    const dir = clusterDir(name);
    await mkdir(dir, { recursive: true });
    const runId = randomBytes(4).toString('hex');
    const slot = await freeLoopbackSlot();
    const hostControlPlane = `127.0.${slot}.254`;
    const started = Date.now();
    try {
      const image = await buildNodeImage({
        projectRoot: PROJECT_ROOT,
        baseImage: this.options.baseImage,
        progress,
      });
      signal?.throwIfAborted();
      const toxiproxyImage = await realToxiproxyImage(docker);
      if (toxiproxyImage) progress(`toxiproxy: the real one, image ${toxiproxyImage}`);
      const subnet = await freeSubnet(docker, slot);
      const prefix = subnet.slice(0, subnet.lastIndexOf('.') + 1);
      const layout: ClusterLayout = {
        reach: (node) => node,
        bind: () => '0.0.0.0',
        sharedAddress: false,
        workerIp: (n) => `${prefix}${100 + n}`,
        credentialsDir: CREDENTIALS_DIR,
        dataDir: (member) => `/var/lib/crucible/${member}`,
        realToxiproxy: toxiproxyImage !== undefined,
        cloudProviderArgs: [
          '--cloud-provider=docker',
          `--cluster-name=${name}`,
          `--run-id=${runId}`,
          `--docker-network=crucible-${name}`,
          `--load-balancer-image=${image}`,
          `--load-balancer-addresses=${loadBalancerAddresses(slot)}`,
        ],
      };
      const plan = planCluster(spec, layout);
      const nodeNames = [...new Set(plan.members.map((m) => m.node))];
      const creds = await writeClusterCredentials(
        dir,
        [hostControlPlane, 'toxiproxy', ...nodeNames.filter((n) => n.startsWith('apiserver-'))],
        plan.nodeUsers,
        spec.users,
      );
      const apiservers = plan.apiserverPorts.map((_, i) => `https://${hostControlPlane}:${6443 + i}`);
      const network = `crucible-${name}`;
      const state: ClusterState = {
        apiVersion: 'crucible.dev/v1alpha1',
        kind: 'ClusterState',
        name,
        runId,
        provider: 'docker',
        createdAt: new Date().toISOString(),
        spec,
        apiservers,
        toxiproxy: `http://${hostControlPlane}:${plan.toxiproxyPort}`,
        links: plan.links,
        workers: plan.workers.map((w, i) => ({ ...w, ip: `127.0.${slot}.${i + 1}` })),
        members: plan.members,
        handles: {},
        network: { name: network, subnet },
        image,
        kubeconfig: join(dir, 'kubeconfig'),
        caFile: creds.caFile,
        adminToken: creds.tokens.admin,
        userTokens: creds.tokens.users,
      };
      const labels = { [DOCKER_CLUSTER_LABEL]: name, [DOCKER_RUN_LABEL]: runId };
      await docker.createNetwork({
        Name: network,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Config: [{ Subnet: subnet }] },
        Labels: labels,
      });
      progress(`network ${network} (${subnet})`);
      const address = (node: string): string => {
        const [role, index] = [node.replace(/-\d+$/, ''), Number(/(\d+)$/.exec(node)?.[1] ?? 0)];
        const base: Record<string, number> = {
          toxiproxy: 2,
          'simulated-nodes': 3,
          etcd: 10,
          apiserver: 20,
          scheduler: 30,
          'controller-manager': 40,
          'cloud-controller-manager': 50,
          worker: 100,
        };
        return `${prefix}${base[role]! + index}`;
      };
      const published = (node: string): Record<string, { HostIp: string; HostPort: string }[]> => {
        const bind = (host: string, hostPort: number, port = hostPort) => ({
          [`${port}/tcp`]: [{ HostIp: host, HostPort: String(hostPort) }],
        });
        if (node === 'toxiproxy') return bind(hostControlPlane, plan.toxiproxyPort);
        if (node.startsWith('apiserver-'))
          return bind(hostControlPlane, 6443 + Number(node.slice('apiserver-'.length)), 6443);
        const worker = state.workers.find((w) => w.name === node);
        if (!worker) return {};
        return Object.assign(
          bind(worker.ip, KUBELET_PORT),
          bind(worker.ip, PROXY_HEALTH_PORT),
          ...spec.nodePorts.map((p) => bind(worker.ip, p)),
        );
      };
      signal?.throwIfAborted();
      const handles = await Promise.all(
        nodeNames.map(async (node) => {
          const container = await docker.createContainer({
            name: `${name}-${node}`,
            Hostname: node,
            Image: node === 'toxiproxy' && toxiproxyImage ? toxiproxyImage : image,
            Labels: { ...labels, [DOCKER_NODE_LABEL]: node },
            ...containerCommand(state.members.filter((m) => m.node === node)),
            ExposedPorts: Object.fromEntries(Object.keys(published(node)).map((p) => [p, {}])),
            StopTimeout: STOP_TIMEOUT_SECONDS,
            HostConfig: {
              NetworkMode: network,
              // The cloud-controller-manager speaks to the engine, as a cloud's controller to its API.
              Binds: [
                `${dir}:${CREDENTIALS_DIR}:ro`,
                ...(node === 'cloud-controller-manager' ? [`${DOCKER_SOCKET}:${DOCKER_SOCKET}`] : []),
              ],
              PortBindings: published(node),
              Init: false,
            },
            NetworkingConfig: {
              EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: address(node) }, Aliases: [node] } },
            },
          });
          await container.start();
          return [node, { containerId: container.id, ip: address(node) }] as const;
        }),
      );
      state.handles = Object.fromEntries(handles);
      progress(`${handles.length} containers started (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return await finishBoot(state, creds.caPem, progress, started, signal);
    } catch (e) {
      await reapDocker(name);
      await removeClusterDir(name);
      throw e;
    }
  }

  async delete(name: string): Promise<number> {
    const state = await readState(name);
    const removed = await reapDocker(name);
    await removeClusterDir(name);
    if (state?.image) await removeOlderNodeImages(state.image);
    return removed;
  }

  // Each operation looks at the container first, so that repeating it does nothing: the engine
  // answers 500 (not 304/409) to "unpause a running container" or "disconnect a disconnected one".

  async kill(state: ClusterState, node: string): Promise<void> {
    const { container, info } = await this.inspect(state, node);
    if (info.State.Running) await ignoreStatus(container.kill(), 409);
  }

  async pause(state: ClusterState, node: string): Promise<void> {
    const { container, info } = await this.inspect(state, node);
    if (info.State.Running && !info.State.Paused) await container.pause();
  }

  async unpause(state: ClusterState, node: string): Promise<void> {
    const { container, info } = await this.inspect(state, node);
    if (info.State.Paused) await container.unpause();
  }

  async stop(state: ClusterState, node: string): Promise<void> {
    const { container, info } = await this.inspect(state, node);
    if (info.State.Paused) await container.unpause();
    if (info.State.Running) await ignoreStatus(container.stop({ t: STOP_TIMEOUT_SECONDS }), 304);
  }

  async start(state: ClusterState, node: string): Promise<void> {
    const { container, info } = await this.inspect(state, node);
    if (info.State.Paused) await container.unpause();
    else if (!info.State.Running) await ignoreStatus(container.start(), 304);
  }

  async disconnect(state: ClusterState, node: string): Promise<void> {
    const { info, network, networkName } = await this.attachment(state, node);
    if (info.NetworkSettings.Networks[networkName])
      await network.disconnect({ Container: info.Id, Force: true });
  }

  async connect(state: ClusterState, node: string): Promise<void> {
    const { info, network, networkName, ip } = await this.attachment(state, node);
    // The same address and alias as before, else peers and Toxiproxy would not find it again.
    if (!info.NetworkSettings.Networks[networkName])
      await network.connect({
        Container: info.Id,
        EndpointConfig: { IPAMConfig: { IPv4Address: ip }, Aliases: [node] },
      });
  }

  async killMember(state: ClusterState, member: string): Promise<void> {
    const m = memberNamed(state, member);
    await this.exec(state, m.node, ['/usr/bin/node', '-e', memberProcessScript(m, 'kill')]);
  }

  async startMember(state: ClusterState, member: string): Promise<void> {
    const m = memberNamed(state, member);
    const running = await this.exec(state, m.node, ['/usr/bin/node', '-e', memberProcessScript(m, 'probe')]);
    if (running.output.trim() === 'running') return;
    const container = await this.container(state, m.node);
    const exec = await container.exec({ Cmd: memberArgv(m), AttachStdout: false, AttachStderr: false });
    await exec.start({ Detach: true });
  }

  async exec(state: ClusterState, node: string, command: string[]): Promise<ExecResult> {
    const container = await this.container(state, node);
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

  async logs(state: ClusterState, node: string): Promise<string> {
    const container = await this.container(state, node);
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return demuxDockerStream(raw);
  }

  private async container(state: ClusterState, node: string) {
    membersOf(state, node);
    const id = state.handles[node]?.containerId;
    if (!id) throw new Error(`cluster "${state.name}": no container recorded for node "${node}"`);
    return (await dockerClient()).getContainer(id);
  }

  private async inspect(state: ClusterState, node: string) {
    const container = await this.container(state, node);
    return { container, info: await container.inspect() };
  }

  private async attachment(state: ClusterState, node: string) {
    const { info } = await this.inspect(state, node);
    const ip = state.handles[node]?.ip;
    if (!state.network || !ip)
      throw new Error(`cluster "${state.name}": no network address recorded for "${node}"`);
    const networkName = state.network.name;
    return { info, network: (await dockerClient()).getNetwork(networkName), networkName, ip };
  }
}

/**
 * The container's command: the member itself, or for a worker both kubelet and kube-proxy under
 * a shell that is PID 1 — when it exits on SIGTERM the kernel ends everything in the container,
 * pods included, as a lost machine would.
 */
function containerCommand(members: ClusterMember[]): { Entrypoint?: string[]; Cmd: string[] } {
  const argv = memberArgv;
  // The real Toxiproxy's image brings its own entry point; it takes only the flags.
  if (members[0]!.program === 'toxiproxy-server') return { Cmd: members[0]!.args };
  if (members.length === 1) return { Entrypoint: argv(members[0]!), Cmd: [] };
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    "trap 'exit 0' TERM INT",
    ...members.map((m) => `${argv(m).map(quote).join(' ')} &`),
    'wait',
  ].join('\n');
  return { Entrypoint: ['/bin/sh', '-c', script], Cmd: [] };
}

/** A member's command line inside the node image. */
function memberArgv(m: ClusterMember): string[] {
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

/** TOXIPROXY_IMAGE when that image is present locally (it is never pulled): the real Toxiproxy. */
async function realToxiproxyImage(docker: DockerClient): Promise<string | undefined> {
  const name = process.env.TOXIPROXY_IMAGE;
  if (!name) return undefined;
  try {
    await docker.getImage(name).inspect();
    return name;
  } catch {
    throw new Error(
      `TOXIPROXY_IMAGE=${name}: no such image here (images are never pulled); unset it to use the bundled Toxiproxy`,
    );
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

/** A /24 for the cluster's network that no Docker network uses yet: 10.213.<slot>.0/24 first. */
async function freeSubnet(docker: DockerClient, slot: number): Promise<string> {
  const used = new Set(
    (await docker.listNetworks()).flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet)),
  );
  for (let second = 213; second < 250; second++) {
    const subnet = `10.${second}.${slot}.0/24`;
    if (!used.has(subnet)) return subnet;
  }
  throw new Error('no free 10.x.y.0/24 subnet for the cluster network');
}
