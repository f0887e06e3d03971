import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { finishBoot } from './cluster-boot.js';
import { ALL_FEATURES } from './cluster-features.js';
import {
  type ClusterCredentials,
  nodeCredentialsDir,
  writeClusterCredentials,
} from './cluster-credentials.js';
import {
  type ClusterLayout,
  type ClusterMember,
  KUBELET_PORT,
  PROXY_HEALTH_PORT,
  planCluster,
} from './cluster-plan.js';
import type { ClusterProvider } from './cluster-provider.js';
import { type ClusterRecord, clusterDir, readClusterRecord, removeClusterDir } from './cluster-record.js';
import { type ClusterSpec, nodePortRange } from './cluster-spec.js';
import { ClusterError } from './cluster-error.js';
import { STOP_TIMEOUT_SECONDS } from './container-nodes.js';
import { DockerCluster, confineDockerNode, memberArgv, removeDockerCluster } from './docker-cluster.js';
import {
  DOCKER_CLUSTER_LABEL,
  DOCKER_NODE_LABEL,
  DOCKER_RUN_LABEL,
  type DockerClient,
  dockerClient,
  reapDocker,
} from './docker-engine.js';
import { guardCluster, releaseCluster, removeAbandonedClusters } from './cluster-reaper.js';
import { waitWhileReaping } from './cluster-ownership.js';
import { PROJECT_ROOT } from './host-programs.js';
import { loadBalancerAddresses, releaseLoopbackSlot, reserveLoopbackSlot } from './loopback-slot.js';
import { addLoadedImages } from './loaded-images-layer.js';
import { buildNodeImage } from './node-image.js';
import { toxiproxyImage } from './toxiproxy-image.js';

/** Beyond this many node ports, publishing them costs enough boot time to say so (see DEFAULT_NODE_PORT_RANGE). */
const SLOW_NODE_PORT_COUNT = 100;
/** Where each container mounts its node's own credentials folder (read-only). */
const CREDENTIALS_DIR = '/etc/crucible';
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
 * kube-proxy health :10256 and every port of the spec's nodePortRange). Host ports are fixed, so a restarted
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
  readonly features = ALL_FEATURES;

  unmetNeeds(): string[] {
    return [];
  }

  constructor(private readonly options: DockerProviderOptions = {}) {}

  async create(
    spec: ClusterSpec,
    progress: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<DockerCluster> {
    const name = spec.name;
    const docker = await dockerClient();
    await removeAbandonedClusters(progress);
    // A killed run of the same name may still be being reaped: its reaper removes by name.
    await waitWhileReaping(name);
    const leftovers = await reapDocker(name);
    if (leftovers)
      progress(`removed ${leftovers} container(s) and network(s) a previous run of ${name} left`);
    await removeClusterDir(name);
    const dir = clusterDir(name);
    await mkdir(dir, { recursive: true });
    const runId = randomBytes(4).toString('hex');
    await guardCluster(name, 'docker');
    // No slot free: nothing has started yet; the folder just made must not stay behind either.
    const slot = await reserveLoopbackSlot(name).catch(async (e: unknown) => {
      await removeClusterDir(name);
      await releaseCluster(name);
      throw e;
    });
    const hostControlPlane = `127.0.${slot}.254`;
    const started = Date.now();
    try {
      const nodeImage = await buildNodeImage({
        projectRoot: PROJECT_ROOT,
        baseImage: this.options.baseImage,
        progress,
      });
      const { image, dirs: loadedImageDirs } = await addLoadedImages(nodeImage, spec.images, progress);
      signal?.throwIfAborted();
      const realToxiproxy = await toxiproxyImage(docker, progress);
      if (realToxiproxy) progress(`toxiproxy: the real one, image ${realToxiproxy}`);
      const subnet = await freeSubnet(docker, slot);
      const prefix = subnet.slice(0, subnet.lastIndexOf('.') + 1);
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
      const layout: ClusterLayout = {
        reach: (node) => node,
        bind: () => '0.0.0.0',
        sharedAddress: false,
        workerIp: (n) => `${prefix}${100 + n}`,
        credentialsDir: () => CREDENTIALS_DIR,
        address,
        apiserverHosts: [hostControlPlane],
        // Every worker runs its kubelet as root, so pods can be confined (the worker needs
        // CAP_SYS_ADMIN for their mount namespaces), unless the spec asks for the known bug.
        ...(exposesCredentials(spec)
          ? {}
          : {
              podConfinement: {
                podsDir: (worker: string) => `/var/lib/crucible/${worker}-pods`,
                networkPolicyOwner: name,
                uidBlock: slot,
              },
            }),
        dataDir: (member) => `/var/lib/crucible/${member}`,
        loadedImageDir: (loaded) => loadedImageDirs.get(loaded.name)!,
        realToxiproxy: realToxiproxy !== undefined,
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
      const creds = await writeClusterCredentials(dir, plan.credentials, spec.users);
      const apiservers = plan.apiserverPorts.map((_, i) => `https://${hostControlPlane}:${6443 + i}`);
      const network = `crucible-${name}`;
      const record: ClusterRecord = {
        apiVersion: 'crucible.dev/v1alpha1',
        kind: 'ClusterRecord',
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
        podConfinement: { confined: true },
        image,
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
      // Every node port the apiservers may hand out, so that each is reachable from the host:
      // one docker-proxy process per port and worker (see DEFAULT_NODE_PORT_RANGE for the cost).
      const { min, max } = nodePortRange(spec);
      const nodePorts = Array.from({ length: max - min + 1 }, (_, i) => min + i);
      if (nodePorts.length > SLOW_NODE_PORT_COUNT)
        progress(
          `publishing ${nodePorts.length} node ports (${spec.nodePortRange}) on each of ${record.workers.length} workers: ${nodePorts.length * record.workers.length} docker-proxy processes, about 0.1-0.2 s and 0.7 MiB each; a narrower nodePortRange boots faster`,
        );
      const published = (node: string): Record<string, { HostIp: string; HostPort: string }[]> => {
        const bind = (host: string, hostPort: number, port = hostPort) => ({
          [`${port}/tcp`]: [{ HostIp: host, HostPort: String(hostPort) }],
        });
        if (node === 'toxiproxy') return bind(hostControlPlane, plan.toxiproxyPort);
        if (node.startsWith('apiserver-'))
          return bind(hostControlPlane, 6443 + Number(node.slice('apiserver-'.length)), 6443);
        const worker = record.workers.find((w) => w.name === node);
        if (!worker) return {};
        return Object.assign(
          bind(worker.ip, KUBELET_PORT),
          bind(worker.ip, PROXY_HEALTH_PORT),
          ...nodePorts.map((p) => bind(worker.ip, p)),
        );
      };
      signal?.throwIfAborted();
      const handles = await Promise.all(
        nodeNames.map(async (node) => {
          const container = await docker.createContainer({
            name: `${name}-${node}`,
            Hostname: node,
            Image: node === 'toxiproxy' && realToxiproxy ? realToxiproxy : image,
            Labels: { ...labels, [DOCKER_NODE_LABEL]: node },
            ...containerCommand(record.members.filter((m) => m.node === node)),
            ExposedPorts: Object.fromEntries(Object.keys(published(node)).map((p) => [p, {}])),
            StopTimeout: STOP_TIMEOUT_SECONDS,
            HostConfig: {
              NetworkMode: network,
              // Only the node's own credentials, never the cluster's folder (the admin's are there).
              // The cloud-controller-manager speaks to the engine, as a cloud's controller to its API.
              Binds: [
                `${nodeCredentialsDir(dir, node)}:${CREDENTIALS_DIR}:ro`,
                ...(node === 'cloud-controller-manager' ? [`${DOCKER_SOCKET}:${DOCKER_SOCKET}`] : []),
              ],
              PortBindings: published(node),
              ...(exposesCredentials(spec) && record.workers.some((w) => w.name === node)
                ? { Mounts: [{ Type: 'bind', Source: dir, Target: SABOTAGE_CLUSTER_FOLDER, ReadOnly: true }] }
                : {}),
              // NET_ADMIN: kube-proxy keeps the node's NetworkPolicy chains in iptables.
              ...(record.workers.some((w) => w.name === node) ? { CapAdd: ['SYS_ADMIN', 'NET_ADMIN'] } : {}),
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
      record.handles = Object.fromEntries(handles);
      progress(`${handles.length} containers started (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      await Promise.all(
        handles.map(async ([node, { containerId }]) => {
          const info = await docker.getContainer(containerId).inspect();
          await confineDockerNode(record, node, info.State.Pid);
        }),
      );
      const credentials = await finishBoot(record, creds, progress, started, signal);
      return new DockerCluster(record, credentials);
    } catch (e) {
      await reapDocker(name);
      await removeClusterDir(name);
      await releaseLoopbackSlot(slot, name);
      await releaseCluster(name);
      throw e;
    }
  }

  attach(record: ClusterRecord, credentials: ClusterCredentials): DockerCluster {
    return new DockerCluster(record, credentials);
  }

  async delete(name: string): Promise<number> {
    return removeDockerCluster(name, await readClusterRecord(name));
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

/** Where the sabotage pods-see-cluster-credentials mounts the cluster's whole folder in every worker. */
const SABOTAGE_CLUSTER_FOLDER = '/var/lib/crucible/cluster';

/** The known bug of pods that run as root where the cluster's every credential lies (cluster spec `sabotage`). */
function exposesCredentials(spec: ClusterSpec): boolean {
  return spec.sabotage.includes('pods-see-cluster-credentials');
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
  throw new ClusterError('NoFreeAddress', 'no free 10.x.y.0/24 subnet for the cluster network');
}
