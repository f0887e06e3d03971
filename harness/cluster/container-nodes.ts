import { demuxDockerStream, dockerClient, ignoreStatus } from './docker-engine.js';
import type { ExecResult } from './running-cluster.js';

/** Where a node's container is: its id, and the network, address and aliases it has there. */
export interface NodeContainer {
  containerId: string;
  /** The network the node is disconnected from and connected back to, with the same address. */
  network?: { name: string; ip: string; aliases: string[] };
}

/** How long `stop` lets a node's processes end before SIGKILL. */
export const STOP_TIMEOUT_SECONDS = 2;

/**
 * The operations on nodes that are Docker containers, whoever made them (crucible's docker
 * provider, or kind and k3d, for a cluster used through its kubeconfig). Each looks at the
 * container first, so that repeating it does nothing: the engine answers 500 (not 304/409) to
 * "unpause a running container" or "disconnect a disconnected one".
 */
export class ContainerNodes {
  constructor(
    /** The node's container, or a ClusterError naming the nodes there are. */
    private readonly locate: (node: string) => NodeContainer,
  ) {}

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

  /** Thaws a paused node, starts a stopped one; whether it started the container (a new network namespace). */
  async start(node: string): Promise<boolean> {
    const { container, info } = await this.inspect(node);
    if (info.State.Paused) await container.unpause();
    else if (!info.State.Running) {
      await ignoreStatus(container.start(), 304);
      return true;
    }
    return false;
  }

  async disconnect(node: string): Promise<void> {
    const { info } = await this.inspect(node);
    const network = this.networkOf(node);
    if (info.NetworkSettings.Networks[network.name])
      await (await dockerClient()).getNetwork(network.name).disconnect({ Container: info.Id, Force: true });
  }

  async connect(node: string): Promise<void> {
    const { info } = await this.inspect(node);
    const network = this.networkOf(node);
    // The same address and aliases as before, else its peers would not find it again.
    if (!info.NetworkSettings.Networks[network.name])
      await (await dockerClient()).getNetwork(network.name).connect({
        Container: info.Id,
        EndpointConfig: { IPAMConfig: { IPv4Address: network.ip }, Aliases: network.aliases },
      });
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

  async logs(node: string): Promise<string> {
    const container = await this.container(node);
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return demuxDockerStream(raw);
  }

  /** The container's memory use less its page cache, in MiB. */
  async memoryMiB(node: string): Promise<number> {
    const stats = (await (await this.container(node)).stats({ stream: false })) as unknown as {
      memory_stats: { usage: number; stats?: { cache?: number } };
    };
    return (stats.memory_stats.usage - (stats.memory_stats.stats?.cache ?? 0)) / 2 ** 20;
  }

  /** The pid of the container's first process, whose network namespace is the node's; undefined when it is not running. */
  async namespacePid(node: string): Promise<number | undefined> {
    const { info } = await this.inspect(node);
    return info.State.Running ? info.State.Pid : undefined;
  }

  async container(node: string) {
    return (await dockerClient()).getContainer(this.locate(node).containerId);
  }

  private async inspect(node: string) {
    const container = await this.container(node);
    return { container, info: await container.inspect() };
  }

  private networkOf(node: string): NonNullable<NodeContainer['network']> {
    const network = this.locate(node).network;
    if (!network) throw new Error(`internal: no network known for node "${node}"`);
    return network;
  }
}
