import { formatTime } from '../orchestrator/api/clock.js';
import type { ApiClient } from '../orchestrator/api/client/index.js';
import { findResource } from '../orchestrator/api/resources.js';
import type { Condition, Lease, Node, Pod } from '../orchestrator/api/types.js';

const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const PODS = findResource('', 'v1', 'pods')!;

/** A node's Ready=True condition as a kubelet reports it at `now`. */
function readyCondition(now: string): Condition {
  return {
    type: 'Ready',
    status: 'True',
    reason: 'KubeletReady',
    message: 'fake node',
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  };
}

/**
 * Nodes without a kubelet, for control-loop tests: registered Ready, with a Lease in
 * kube-node-lease renewed every `renewMs`, as a kubelet would. `stopRenewing(name)` makes a node
 * go silent; `resumeRenewing(name)` brings it back.
 */
export class FakeNodes {
  private readonly timer: NodeJS.Timeout;
  private readonly silent = new Set<string>();
  private readonly reportReady = new Set<string>();
  private renewing = false;

  private constructor(
    private readonly client: ApiClient,
    readonly names: string[],
    renewMs: number,
  ) {
    this.timer = setInterval(() => void this.renew(), renewMs);
  }

  /** Also play the kubelet's part for pods: bound pods of a live node become Running and Ready. */
  runPods = false;

  static async register(
    client: ApiClient,
    names: string[],
    opts: { renewMs?: number; cpu?: string; labels?: Record<string, string> } = {},
  ): Promise<FakeNodes> {
    const now = formatTime(new Date());
    for (const name of names) {
      const node: Node = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
        spec: {},
        status: {
          capacity: { cpu: opts.cpu ?? '4', memory: '8Gi', pods: '110' },
          allocatable: { cpu: opts.cpu ?? '4', memory: '8Gi', pods: '110' },
          conditions: [readyCondition(now)],
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        },
      };
      await client.create(NODES, node);
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease' },
        spec: { holderIdentity: name, leaseDurationSeconds: 2, renewTime: microTime(new Date()) },
      };
      await client.create(LEASES, lease);
    }
    return new FakeNodes(client, names, opts.renewMs ?? 200);
  }

  stopRenewing(name: string): void {
    this.silent.add(name);
  }

  /** Renews again and reports Ready=True, as a kubelet coming back would. */
  resumeRenewing(name: string): void {
    this.silent.delete(name);
    this.reportReady.add(name);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.renewing) await new Promise((r) => setTimeout(r, 10));
  }

  /** A kubelet's part: bound pods start (Running, Ready); pods being deleted finish deleting. */
  private async startPods(): Promise<void> {
    const pods = await this.client.list<Pod>(PODS, '').catch(() => undefined);
    const live = (p: Pod) =>
      p.spec.nodeName && this.names.includes(p.spec.nodeName) && !this.silent.has(p.spec.nodeName);
    await Promise.all(
      (pods?.items ?? []).filter(live).map((p) =>
        p.metadata.deletionTimestamp
          ? this.client
              .delete(PODS, p.metadata.namespace!, p.metadata.name!, {
                gracePeriodSeconds: 0,
                preconditions: { uid: p.metadata.uid },
              })
              .catch(() => undefined)
          : p.status?.phase === 'Pending'
            ? markRunning(this.client, p)
            : undefined,
      ),
    );
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      for (const name of [...this.reportReady]) {
        const ready = readyCondition(formatTime(new Date()));
        await this.client
          .patch(NODES, '', name, { status: { conditions: [ready] } }, 'strategic', 'status')
          .then(
            () => this.reportReady.delete(name),
            () => undefined,
          );
      }
      if (this.runPods) await this.startPods();
      await Promise.all(
        this.names
          .filter((n) => !this.silent.has(n))
          .map((name) =>
            this.client
              .patch(LEASES, 'kube-node-lease', name, { spec: { renewTime: microTime(new Date()) } })
              .catch(() => undefined),
          ),
      );
    } finally {
      this.renewing = false;
    }
  }
}

/** What a kubelet reports for a started pod; kept small, as the fake starts nothing. */
async function markRunning(client: ApiClient, pod: Pod): Promise<void> {
  const now = formatTime(new Date());
  const status = {
    phase: 'Running',
    podIP: '127.0.0.1',
    hostIP: '127.0.0.1',
    startTime: now,
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      { type: 'Initialized', status: 'True', lastTransitionTime: now },
      { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
      { type: 'Ready', status: 'True', lastTransitionTime: now },
    ],
  };
  await client
    .patch(PODS, pod.metadata.namespace!, pod.metadata.name!, { status }, 'merge', 'status')
    .catch(() => undefined);
}

function microTime(d: Date): string {
  return d.toISOString().replace('Z', '000Z');
}
