import { rm } from 'node:fs/promises';
import type { Node } from '../../orchestrator/api/types.js';
import { findResource } from '../../orchestrator/api/resources.js';
import { withAdminClient } from './cluster-client.js';
import type { ClusterCredentials } from './cluster-credentials.js';
import { ClusterError } from './cluster-error.js';
import type { ClusterFeature } from './cluster-features.js';
import type { ClusterRecord } from './cluster-record.js';
import { ContainerNodes } from './container-nodes.js';
import { DockerPacketFilter } from './docker-packet-filter.js';
import type { NodeContainerMatch } from './node-containers.js';
import {
  HEARTBEAT_INTERVAL_MS,
  NAMESPACE_DELETION_WAIT_MS,
  deleteNamespaces,
  keepNamespaces,
  listOwnedNamespaces,
  renewHeartbeat,
} from './owned-namespaces.js';
import type { ExecResult, PodEscapeTargets, RunningCluster } from './running-cluster.js';

/**
 * A run's handle on an existing cluster reached through a kubeconfig. Everything goes through the
 * Kubernetes API, except what the Nodes matched to Docker containers of this machine allow: kill,
 * pause, stop, disconnect and packet filtering on those, with the docker provider's mechanisms. The
 * control plane is the cluster's own: its members cannot be killed or started. What crucible
 * creates there is namespaces labelled with the run, renewed by a heartbeat while the run lives;
 * `delete` removes those namespaces and nothing else.
 */
export class KubeconfigCluster implements RunningCluster {
  readonly provider = 'kubeconfig';
  readonly packetFilter?: DockerPacketFilter;
  private readonly nodes: ContainerNodes;
  private readonly heartbeat: NodeJS.Timeout;
  private deleted?: Promise<number>;

  constructor(
    readonly record: ClusterRecord,
    readonly credentials: ClusterCredentials,
    readonly features: ReadonlySet<ClusterFeature>,
    private readonly containers: NodeContainerMatch,
    /** The run's own folder on this machine (its kubeconfig, its fault ledger), removed with it. */
    readonly stateDir: string,
  ) {
    this.nodes = new ContainerNodes((node) => this.containerOf(node));
    if (features.has('packet-filter'))
      this.packetFilter = new DockerPacketFilter(record, (node) => this.nodes.namespacePid(node));
    this.heartbeat = setInterval(
      () => void withAdminClient(this, (client) => renewHeartbeat(client, this.name)).catch(() => undefined),
      HEARTBEAT_INTERVAL_MS,
    );
    this.heartbeat.unref();
  }

  get name(): string {
    return this.record.name;
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
    await this.nodes.start(node);
  }

  disconnect(node: string): Promise<void> {
    return this.nodes.disconnect(node);
  }

  connect(node: string): Promise<void> {
    return this.nodes.connect(node);
  }

  killMember(member: string): Promise<void> {
    return Promise.reject(notOurs(member));
  }

  startMember(member: string): Promise<void> {
    return Promise.reject(notOurs(member));
  }

  /** What a fault may have left on a matched node undone; a node crucible cannot touch has nothing of crucible's on it. */
  async restore(node: string): Promise<void> {
    if (!this.containers.matched.has(node)) return;
    await this.nodes.unpause(node);
    await this.nodes.connect(node);
    await this.nodes.start(node);
    await this.packetFilter?.clear(node);
  }

  /**
   * What no pod may read or reach, wherever the cluster's nodes keep it: kubeadm's and kind's
   * credentials (/etc/kubernetes), the kubelet's state, crucible's own node folders, root's home,
   * and each kubelet's API (a real one answers 401 to a pod that brings no credentials).
   */
  podEscapeTargets(): PodEscapeTargets {
    const urls: Record<string, string> = {};
    for (const w of this.record.workers) {
      urls[`${w.name} kubelet`] = `http://${w.ip}:${w.kubeletPort}/pods`;
      urls[`${w.name} kubelet (https)`] = `https://${w.ip}:${w.kubeletPort}/pods`;
    }
    return {
      files: ['/etc/kubernetes', '/var/lib/kubelet', '/etc/crucible', '/var/lib/crucible', '/root'],
      urls,
    };
  }

  exec(node: string, command: string[]): Promise<ExecResult> {
    return this.nodes.exec(node, command);
  }

  logs(node: string): Promise<string> {
    return this.nodes.logs(node);
  }

  memoryMiB(node: string): Promise<number> {
    return this.nodes.memoryMiB(node);
  }

  async liveness(): Promise<string> {
    const nodes = await withAdminClient(this, (c) => c.list<Node>(findResource('', 'v1', 'nodes')!));
    const ready = nodes.items.filter((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
    return `nodes ${ready}/${nodes.items.length} Ready`;
  }

  /** Leaves the run's namespaces to the user, marked kept (no later run reaps them), and forgets the run's kubeconfig copy. */
  async keep(): Promise<void> {
    clearInterval(this.heartbeat);
    try {
      await withAdminClient(this, (client) => keepNamespaces(client, this.name));
    } finally {
      await rm(this.stateDir, { recursive: true, force: true });
    }
  }

  /** Removes the run's namespaces (everything it created is in them), waits until they are gone, and forgets the run's kubeconfig copy. */
  delete(): Promise<number> {
    this.deleted ??= (async () => {
      clearInterval(this.heartbeat);
      try {
        return await withAdminClient(this, async (client) => {
          const owned = await listOwnedNamespaces(client, this.name);
          return deleteNamespaces(
            client,
            owned.map((n) => n.metadata.name!),
            NAMESPACE_DELETION_WAIT_MS,
          );
        });
      } finally {
        await rm(this.stateDir, { recursive: true, force: true });
      }
    })();
    return this.deleted;
  }

  private containerOf(node: string) {
    const container = this.containers.matched.get(node);
    if (container) return container;
    const unmatched = this.containers.unmatched.find((u) => u.node === node);
    throw new ClusterError(
      unmatched ? 'ProviderUnsupported' : 'NodeNotFound',
      unmatched
        ? `node ${node} is not a container crucible can act on: ${unmatched.reason}`
        : `no node "${node}"; the nodes: ${[...this.containers.matched.keys(), ...this.containers.unmatched.map((u) => u.node)].join(', ')}`,
    );
  }
}

function notOurs(member: string): ClusterError {
  return new ClusterError(
    'ProviderUnsupported',
    `${member}: an existing cluster's components are its own; crucible acts on them only through the API and on nodes matched to containers`,
  );
}
