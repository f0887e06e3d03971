import type { Node, Pod, Service } from '../../orchestrator/api/types.js';
import type { IsolationTenant } from './isolation-battery.js';

/** Something of another tenant a probe pod tries to talk to: its name in the probe, and where it answers. */
export interface Peer {
  /** `pod <ns>/<pod>:<containerPort>` or `service <ns>/<name>:<port>`. */
  name: string;
  /** `host:port`. */
  address: string;
}

/** What the cluster runs, as the admin reads it. */
export interface PeerCandidates {
  pods: readonly Pod[];
  services: readonly Service[];
  nodes: readonly Node[];
}

/** How many peers of each other tenant a probe pod tries, unless told otherwise. */
export const MAX_PEERS_PER_TENANT = 20;

/**
 * What a pod of `tenant` should not be able to reach: for every other tenant (its namespaces that
 * are not `tenant`'s), its Services of type NodePort or LoadBalancer at a node's InternalIP and
 * node port (TCP), then its running pods' declared ports. Pods share their node's address in
 * crucible: a pod answers at `status.podIP` on the host port its container port is mapped to
 * (`status.portMappings`); a pod without mappings is left out rather than tried where nothing
 * listens, which would look like a refusal. At most `max` peers of each other tenant, Services
 * first, each list in name order, so the probe pod ends within seconds whatever the tenant runs.
 */
export function crossTenantPeers(
  tenant: IsolationTenant,
  tenants: readonly IsolationTenant[],
  candidates: PeerCandidates,
  max = MAX_PEERS_PER_TENANT,
): Peer[] {
  const nodeAddress = serviceNodeAddress(candidates.nodes);
  return tenants
    .filter((other) => other.name !== tenant.name)
    .flatMap((other) => {
      const namespaces = new Set(other.namespaces.filter((ns) => !tenant.namespaces.includes(ns)));
      const services =
        nodeAddress === undefined ? [] : servicePeers(candidates.services, namespaces, nodeAddress);
      return [...services, ...podPeers(candidates.pods, namespaces)].slice(0, max);
    });
}

function servicePeers(services: readonly Service[], namespaces: ReadonlySet<string>, host: string): Peer[] {
  return [...services]
    .filter((s) => namespaces.has(s.metadata.namespace ?? '') && isExposedOnNodes(s))
    .sort(byName)
    .flatMap((s) =>
      (s.spec.ports ?? [])
        .filter((p) => p.nodePort !== undefined && (p.protocol ?? 'TCP') === 'TCP')
        .map((p) => ({
          name: `service ${s.metadata.namespace}/${s.metadata.name}:${p.port}`,
          address: hostPort(host, p.nodePort!),
        })),
    );
}

function podPeers(pods: readonly Pod[], namespaces: ReadonlySet<string>): Peer[] {
  return [...pods]
    .filter(
      (p) =>
        namespaces.has(p.metadata.namespace ?? '') &&
        p.status?.phase === 'Running' &&
        p.status.podIP !== undefined &&
        p.metadata.deletionTimestamp === undefined,
    )
    .sort(byName)
    .flatMap((p) =>
      (p.status!.portMappings ?? [])
        .filter((m) => (m.protocol ?? 'TCP') === 'TCP')
        .map((m) => ({
          name: `pod ${p.metadata.namespace}/${p.metadata.name}:${m.containerPort}`,
          address: hostPort(p.status!.podIP!, m.hostPort),
        })),
    );
}

function isExposedOnNodes(service: Service): boolean {
  return service.spec.type === 'NodePort' || service.spec.type === 'LoadBalancer';
}

/** The InternalIP of the first Ready node by name (of the first node with one when none is Ready). */
function serviceNodeAddress(nodes: readonly Node[]): string | undefined {
  const internalIp = (n: Node) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const ready = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  const withAddress = [...nodes].filter((n) => internalIp(n) !== undefined).sort(byName);
  const chosen = withAddress.find(ready) ?? withAddress[0];
  return chosen && internalIp(chosen);
}

function byName(a: { metadata: { namespace?: string; name?: string } }, b: typeof a): number {
  const key = (o: typeof a) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
