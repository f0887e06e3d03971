import type { Service } from '../api/types.js';

/** One address of a load balancer as it goes into a Service's status.loadBalancer.ingress. */
export interface LoadBalancerIngress {
  ip: string;
}

/** A backend of a Service's load balancer: a worker's address (its node port is per Service port). */
export interface LoadBalancerNode {
  name: string;
  /** The node's InternalIP, where kube-proxy serves the Service's node ports. */
  address: string;
}

/**
 * Load balancers of a cloud, by Service. `ensure` is idempotent: it creates the balancer, or
 * brings an existing one's backends and ports up to date, and returns its ingress. `remove` of a
 * balancer that does not exist does nothing.
 */
export interface LoadBalancers {
  ensure(service: Service, nodes: LoadBalancerNode[]): Promise<LoadBalancerIngress[]>;
  remove(namespace: string, name: string): Promise<void>;
  /** The `namespace/name` of every Service that has a balancer, so orphans can be removed. */
  list(): Promise<string[]>;
}

/**
 * What the cloud says of a node's machine. Only `gone` (no such machine, or it is not running:
 * killed, exited) lets the Node object be deleted; a `paused` machine, or one the cloud cannot
 * answer for (`unknown`), is left to the node lifecycle controller.
 */
export type InstanceState = 'running' | 'paused' | 'gone' | 'unknown';

export interface Instances {
  /** The state of every node the cloud knows of, by node name; nodes not in the map are `gone`. */
  states(nodeNames: string[]): Promise<Map<string, InstanceState>>;
}

/** A cloud provider, as the cloud-controller-manager sees it (k8s.io/cloud-provider's Interface). */
export interface CloudProvider {
  readonly name: string;
  readonly loadBalancers: LoadBalancers;
  readonly instances: Instances;
  /** Releases what the provider holds (connections); not its load balancers. */
  close(): Promise<void>;
}

/** The name a Service's load balancer goes by in the cloud: `<namespace>-<name>`, sanitised. */
export function loadBalancerName(namespace: string, name: string): string {
  return `lb-${namespace}-${name}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** The TCP ports of a Service with the node port each one forwards to. */
export function loadBalancerPorts(service: Service): { port: number; nodePort: number }[] {
  return (service.spec.ports ?? [])
    .filter((p) => (p.protocol ?? 'TCP') === 'TCP' && typeof p.nodePort === 'number')
    .map((p) => ({ port: p.port, nodePort: p.nodePort! }));
}
