import type { Service } from '../api/types.js';
import {
  type CloudProvider,
  type InstanceState,
  type LoadBalancerIngress,
  type LoadBalancerNode,
  loadBalancerName,
  loadBalancerPorts,
} from './cloud-provider.js';
import { DockerEngineApi, type EngineContainer } from './docker-engine-api.js';
import {
  type LoadBalancerConfig,
  balancerCovers,
  freeAddress,
  loadBalancerArgs,
  mergedBackends,
  parseAddressRange,
} from './load-balancer-plan.js';

export const CLUSTER_LABEL = 'crucible.dev/cluster';
export const RUN_LABEL = 'crucible.dev/run-id';
export const NODE_LABEL = 'crucible.dev/node';
/** `namespace/name` of the Service a load balancer container serves. */
export const SERVICE_LABEL = 'crucible.dev/load-balancer';
/** The balancer's config (JSON), so a restarted controller knows what each container does. */
export const CONFIG_LABEL = 'crucible.dev/load-balancer-config';

export interface DockerCloudOptions {
  /** The cluster's name: its containers carry `crucible.dev/cluster=<name>`. */
  cluster: string;
  runId?: string;
  /** The cluster's Docker network, which the balancers join to reach the workers. */
  network: string;
  /** The image balancers run (the node image); by default the image of this container. */
  image?: string;
  /** Host addresses balancers publish their ports on, e.g. 127.0.5.200-127.0.5.253. */
  addressRange: string;
  socketPath?: string;
  /** The balancer's command line inside the image: node and the orchestrator's main. */
  program: string[];
}

/**
 * The docker cloud: the cluster's containers are its machines; a load balancer is a container of
 * the node image on the cluster network running `orchestrator load-balancer`, with the Service's
 * ports published on a host loopback address of its own. Every container carries the cluster's
 * labels, so `crucible down` removes balancers with the rest.
 */
export class DockerCloud implements CloudProvider {
  readonly name = 'docker';
  private readonly engine: DockerEngineApi;
  private readonly range: string[];
  private image?: string;

  constructor(private readonly options: DockerCloudOptions) {
    this.engine = new DockerEngineApi(options.socketPath);
    this.range = parseAddressRange(options.addressRange);
    this.image = options.image;
  }

  readonly instances = {
    states: async (nodeNames: string[]): Promise<Map<string, InstanceState>> => {
      const containers = await this.engine.listContainers({ [CLUSTER_LABEL]: this.options.cluster });
      const byNode = new Map(containers.map((c) => [c.Labels[NODE_LABEL] ?? '', c]));
      return new Map(nodeNames.map((n) => [n, instanceState(byNode.get(n))]));
    },
  };

  readonly loadBalancers = {
    ensure: (service: Service, nodes: LoadBalancerNode[]) => this.ensure(service, nodes),
    remove: async (namespace: string, name: string): Promise<void> => {
      for (const c of await this.balancers(`${namespace}/${name}`)) await this.engine.removeContainer(c.Id);
    },
    list: async (): Promise<string[]> =>
      [...new Set((await this.balancers()).map((c) => c.Labels[SERVICE_LABEL]!))].sort(),
  };

  async close(): Promise<void> {
    await this.engine.close();
  }

  private async ensure(service: Service, nodes: LoadBalancerNode[]): Promise<LoadBalancerIngress[]> {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const ports = loadBalancerPorts(service);
    const existing = await this.balancers(key);
    const live = existing.find((c) => c.State === 'running');
    const current = live ? configOf(live) : undefined;
    if (current && live && existing.length === 1 && balancerCovers(current, ports, nodes))
      return [{ ip: current.address }];
    const all = await this.balancers();
    const address =
      configOf(existing[0])?.address ??
      freeAddress(
        this.range,
        all.map((c) => configOf(c)?.address ?? ''),
      );
    const config: LoadBalancerConfig = { address, ports, backends: mergedBackends(current, nodes) };
    for (const c of existing) await this.engine.removeContainer(c.Id);
    const name = `${this.options.cluster}-${loadBalancerName(service.metadata.namespace ?? 'default', service.metadata.name!)}`;
    const bindings = Object.fromEntries(
      ports.map((p) => [`${p.port}/tcp`, [{ HostIp: address, HostPort: String(p.port) }]]),
    );
    const id = await this.engine.createContainer(name, {
      Image: await this.nodeImage(),
      Hostname: loadBalancerName(service.metadata.namespace ?? 'default', service.metadata.name!),
      Entrypoint: [...this.options.program, ...loadBalancerArgs(config, '0.0.0.0')],
      Cmd: [],
      Labels: {
        [CLUSTER_LABEL]: this.options.cluster,
        ...(this.options.runId ? { [RUN_LABEL]: this.options.runId } : {}),
        [NODE_LABEL]: loadBalancerName(service.metadata.namespace ?? 'default', service.metadata.name!),
        [SERVICE_LABEL]: key,
        [CONFIG_LABEL]: JSON.stringify(config),
      },
      ExposedPorts: Object.fromEntries(Object.keys(bindings).map((p) => [p, {}])),
      StopTimeout: 1,
      HostConfig: { NetworkMode: this.options.network, PortBindings: bindings, Init: false },
    });
    await this.engine.startContainer(id);
    return [{ ip: address }];
  }

  /** Balancer containers of the cluster (of one Service when `key` is given). */
  private async balancers(key?: string): Promise<EngineContainer[]> {
    const all = await this.engine.listContainers({ [CLUSTER_LABEL]: this.options.cluster });
    return all.filter(
      (c) => c.Labels[SERVICE_LABEL] && (key === undefined || c.Labels[SERVICE_LABEL] === key),
    );
  }

  /** The node image: the flag's, or the one this controller's own container runs. */
  private async nodeImage(): Promise<string> {
    if (this.image) return this.image;
    const own = await this.engine.inspectContainer((await import('node:os')).hostname());
    if (!own)
      throw new Error('--load-balancer-image is needed: this controller is not in a container of its own');
    this.image = own.Config.Image;
    return this.image;
  }
}

function instanceState(c: EngineContainer | undefined): InstanceState {
  if (!c) return 'gone';
  if (c.State === 'paused') return 'paused';
  if (c.State === 'running' || c.State === 'restarting') return 'running';
  return 'gone';
}

function configOf(c: EngineContainer | undefined): LoadBalancerConfig | undefined {
  const text = c?.Labels[CONFIG_LABEL];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as LoadBalancerConfig;
  } catch {
    return undefined;
  }
}
