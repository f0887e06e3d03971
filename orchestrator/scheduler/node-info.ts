import { quantityValue } from '../api/schemas/quantity.js';
import type { Node, Pod } from '../api/types.js';

/** Requested or allocatable amounts the scheduler accounts: CPU in cores, memory in bytes, pods. */
export interface Resources {
  cpu: number;
  memory: number;
  pods: number;
}

/** A node with what the pods bound or assumed on it request, as kube-scheduler's NodeInfo. */
export class NodeInfo {
  readonly pods = new Map<string, Pod>();
  readonly requested: Resources = { cpu: 0, memory: 0, pods: 0 };
  private current!: Node;
  /** Parsed once per node update: filters read it for every pod. */
  allocatable!: Resources;

  constructor(node: Node) {
    this.node = node;
  }

  get node(): Node {
    return this.current;
  }

  set node(node: Node) {
    this.current = node;
    const a = node.status?.allocatable ?? node.status?.capacity ?? {};
    this.allocatable = {
      cpu: quantityValue(a.cpu ?? '0') ?? 0,
      memory: quantityValue(a.memory ?? '0') ?? 0,
      pods: quantityValue(a.pods ?? '110') ?? 110,
    };
  }

  addPod(key: string, pod: Pod): void {
    if (this.pods.has(key)) this.removePod(key);
    this.pods.set(key, pod);
    add(this.requested, podRequests(pod), 1);
  }

  removePod(key: string): void {
    const pod = this.pods.get(key);
    if (!pod) return;
    this.pods.delete(key);
    add(this.requested, podRequests(pod), -1);
  }
}

function add(into: Resources, r: Resources, sign: 1 | -1): void {
  into.cpu += sign * r.cpu;
  into.memory += sign * r.memory;
  into.pods += sign * r.pods;
}

// Informer objects are frozen, so a pod's requests never change under the same object.
const requestsOf = new WeakMap<Pod, Resources>();

/** What a pod asks for: the sum of its containers' requests (init containers: their maximum). */
export function podRequests(pod: Pod): Resources {
  let known = requestsOf.get(pod);
  if (!known) requestsOf.set(pod, (known = computeRequests(pod)));
  return known;
}

function computeRequests(pod: Pod): Resources {
  const sum = (containers: Pod['spec']['containers'] | undefined, field: 'cpu' | 'memory') =>
    (containers ?? []).map((c) => quantityValue(c.resources?.requests?.[field] ?? 0) ?? 0);
  const cpu = Math.max(
    sum(pod.spec.containers, 'cpu').reduce((a, b) => a + b, 0),
    ...sum(pod.spec.initContainers, 'cpu'),
  );
  const memory = Math.max(
    sum(pod.spec.containers, 'memory').reduce((a, b) => a + b, 0),
    ...sum(pod.spec.initContainers, 'memory'),
  );
  return { cpu, memory, pods: 1 };
}
