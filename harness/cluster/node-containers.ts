import type { NodeContainer } from './container-nodes.js';
import { dockerClient } from './docker-engine.js';
import { dockerEngineAnswers } from './node-image.js';

/** A Node of the cluster, as its status gives it: its name and its InternalIP. */
export interface NodeAddress {
  name: string;
  ip: string;
}

export interface NodeContainerMatch {
  /** Each Node found to be a container of this machine's Docker engine. */
  matched: Map<string, NodeContainer>;
  /** Each other Node, and why it was not matched. */
  unmatched: { node: string; reason: string }[];
}

/** What matching needs of a container: Docker's inspect, cut down. */
export interface ContainerView {
  id: string;
  name: string;
  hostname: string;
  networks: { name: string; ip: string; aliases: string[] }[];
}

/**
 * Finds the Docker container each Node is, for clusters whose nodes are containers on this
 * machine (kind, k3d, crucible's own docker clusters): the container named in `mapping`, else the
 * one whose hostname is the Node's name and which has the Node's InternalIP on one of its
 * networks. Both must hold, so that a container is never taken for a Node it merely shares a
 * name with (two clusters on one machine both have a `worker-1`). A Node matched nowhere keeps
 * its reason; the node-level faults are then not offered.
 */
export async function matchNodeContainers(
  nodes: readonly NodeAddress[],
  mapping: Readonly<Record<string, string>> = {},
): Promise<NodeContainerMatch> {
  if (!(await dockerEngineAnswers(2000)))
    return {
      matched: new Map(),
      unmatched: nodes.map((n) => ({ node: n.name, reason: 'no Docker engine answers on this machine' })),
    };
  return matchContainers(nodes, await listContainers(), mapping);
}

/** The matching itself, over the containers Docker listed (see matchNodeContainers). */
export function matchContainers(
  nodes: readonly NodeAddress[],
  containers: readonly ContainerView[],
  mapping: Readonly<Record<string, string>> = {},
): NodeContainerMatch {
  const matched = new Map<string, NodeContainer>();
  const unmatched: NodeContainerMatch['unmatched'] = [];
  for (const node of nodes) {
    const named = mapping[node.name];
    const candidates = named
      ? containers.filter((c) => c.name === named || c.id.startsWith(named))
      : containers.filter((c) => c.hostname === node.name && c.networks.some((n) => n.ip === node.ip));
    if (candidates.length !== 1) {
      unmatched.push({
        node: node.name,
        reason: named
          ? `the mapping names container "${named}", which ${candidates.length ? 'is ambiguous' : 'does not exist'}`
          : `no container has hostname ${node.name} and address ${node.ip}`,
      });
      continue;
    }
    const container = candidates[0]!;
    const network = container.networks.find((n) => n.ip === node.ip) ?? container.networks[0];
    matched.set(node.name, { containerId: container.id, ...(network ? { network } : {}) });
  }
  return { matched, unmatched };
}

async function listContainers(): Promise<ContainerView[]> {
  const docker = await dockerClient();
  const summaries = await docker.listContainers({ all: true });
  const views = await Promise.all(
    summaries.map(async (s) => {
      const info = await docker
        .getContainer(s.Id)
        .inspect()
        .catch(() => undefined);
      if (!info) return undefined;
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        hostname: info.Config.Hostname,
        networks: Object.entries(info.NetworkSettings.Networks ?? {}).map(([name, n]) => ({
          name,
          ip: n.IPAddress || n.IPAMConfig?.IPv4Address || '',
          // Docker adds the short container id as an alias; the node's own are the others.
          aliases: ((n.Aliases ?? []) as string[]).filter((a) => !info.Id.startsWith(a)),
        })),
      };
    }),
  );
  return views.filter((v): v is ContainerView => v !== undefined);
}
