import { arch, hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ApiClient } from '../api/client/index.js';
import { formatTime } from '../api/clock.js';
import { isApiError } from '../api/errors.js';
import { withCondition } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import type { Condition, Lease, Node, Taint } from '../api/types.js';

const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

/** The kubelet version nodes report. */
export const KUBELET_VERSION = 'v1.32.0+crucible';

/** The node's identity, what it reports, and how often. */
export interface NodeStatusOptions {
  client: ApiClient;
  nodeName: string;
  nodeIp: string;
  /** The read-only server's port (status.daemonEndpoints.kubeletEndpoint.Port). */
  kubeletPort: number;
  capacity: Record<string, string>;
  /** Labels and taints the node registers with (--node-labels, --register-with-taints). */
  labels?: Record<string, string>;
  taints?: Taint[];
  leaseDurationSeconds: number;
  leaseRenewIntervalMs: number;
  statusUpdateFrequencyMs: number;
  log: Logger;
  /** Told of each renewal attempt, for metrics. */
  onLeaseRenewal?: (ok: boolean) => void;
}

/**
 * Registers the node and keeps it alive: the Lease in kube-node-lease renewed every renew
 * interval, the Ready condition's heartbeat posted every status update period. A failed write is
 * logged and retried at the next tick; nothing here ever throws out of `start`.
 */
/**
 * The conditions a healthy kubelet posts (no pressure, Ready), each stamped with this heartbeat
 * and keeping its transition time while its status is unchanged.
 */
export function healthyNodeConditions(
  previous: Condition[] | undefined,
  now: string,
  readyMessage: string,
): Condition[] {
  let conditions = previous;
  const set = (type: string, status: 'True' | 'False', reason: string, message: string) => {
    conditions = withCondition(conditions, { type, status, reason, message, lastHeartbeatTime: now }, now);
  };
  set('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available');
  set('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure');
  set('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available');
  set('Ready', 'True', 'KubeletReady', readyMessage);
  return conditions!;
}

export class NodeStatusReporter {
  private lease?: Lease;
  private conditions?: Condition[];
  private registered = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private statusBusy = false;
  private leaseBusy = false;

  constructor(private readonly options: NodeStatusOptions) {}

  start(): void {
    void this.postStatus();
    void this.renewLease();
    this.timers.push(
      setInterval(() => void this.postStatus(), this.options.statusUpdateFrequencyMs),
      setInterval(() => void this.renewLease(), this.options.leaseRenewIntervalMs),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
  }

  /** Creates the Node, or brings an existing one's status up to date; then posts heartbeats. */
  private async postStatus(): Promise<void> {
    if (this.statusBusy || this.stopped) return;
    this.statusBusy = true;
    const { client, nodeName, log } = this.options;
    try {
      if (!this.registered) {
        const existing = await client.tryGet<Node>(NODES, '', nodeName);
        if (!existing) {
          const created = await client
            .create<Node>(NODES, this.desiredNode(undefined))
            .catch((e: unknown) => {
              if (isApiError(e, 'AlreadyExists')) return undefined;
              throw e;
            });
          if (created) log.info({ node: nodeName }, 'node registered');
          this.conditions = created?.status?.conditions;
        } else {
          this.conditions = existing.status?.conditions;
        }
        this.registered = true;
      }
      const desired = this.desiredNode(this.conditions);
      const patched = await client.patch<Node>(
        NODES,
        '',
        nodeName,
        { status: desired.status },
        'merge',
        'status',
      );
      this.conditions = patched.status?.conditions;
    } catch (e) {
      if (isApiError(e, 'NotFound')) this.registered = false;
      log.warn({ err: (e as Error).message }, 'node status update failed; retrying');
    } finally {
      this.statusBusy = false;
    }
  }

  private desiredNode(previous: Condition[] | undefined): Node {
    const { nodeName, nodeIp, capacity, kubeletPort, labels, taints } = this.options;
    const now = formatTime(new Date());
    const conditions = healthyNodeConditions(previous, now, 'kubelet is posting ready status');
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: nodeName,
        labels: {
          'kubernetes.io/hostname': nodeName,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': arch() === 'x64' ? 'amd64' : arch(),
          ...labels,
        },
      },
      spec: taints?.length ? { taints } : {},
      status: {
        capacity,
        allocatable: capacity,
        conditions,
        addresses: [
          { type: 'InternalIP', address: nodeIp },
          { type: 'Hostname', address: nodeName },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
        nodeInfo: {
          kubeletVersion: KUBELET_VERSION,
          kubeProxyVersion: KUBELET_VERSION,
          operatingSystem: 'linux',
          architecture: arch() === 'x64' ? 'amd64' : arch(),
          containerRuntimeVersion: 'process://crucible',
          osImage: `crucible on ${hostname()}`,
          kernelVersion: process.version,
          machineID: nodeName,
          systemUUID: nodeName,
          bootID: '',
        },
      },
    };
  }

  private async renewLease(): Promise<void> {
    if (this.leaseBusy || this.stopped) return;
    this.leaseBusy = true;
    const { client, nodeName, leaseDurationSeconds, log } = this.options;
    try {
      const renewTime = formatMicroTime(new Date());
      const spec = { holderIdentity: nodeName, leaseDurationSeconds, renewTime };
      if (!this.lease) this.lease = await client.tryGet<Lease>(LEASES, 'kube-node-lease', nodeName);
      if (!this.lease) {
        this.lease = await client.create<Lease>(LEASES, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: nodeName, namespace: 'kube-node-lease' },
          spec: { ...spec, acquireTime: renewTime },
        });
      } else {
        this.lease = await client.update<Lease>(LEASES, {
          ...this.lease,
          spec: { ...this.lease.spec, ...spec },
        });
      }
      this.options.onLeaseRenewal?.(true);
    } catch (e) {
      // A conflict or a lost object: read it afresh next time.
      this.lease = undefined;
      this.options.onLeaseRenewal?.(false);
      log.warn({ err: (e as Error).message }, 'node lease renewal failed; retrying');
    } finally {
      this.leaseBusy = false;
    }
  }
}

/** metav1.MicroTime: RFC 3339 with six fractional digits (a Date has three). */
export function formatMicroTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
