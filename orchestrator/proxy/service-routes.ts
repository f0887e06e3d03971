import type { Endpoints, Service, ServicePort } from '../api/types.js';

/** One Service port reachable on a node port: what kube-proxy listens for. */
export interface NodePortRoute {
  /** `namespace/name` of the Service. */
  service: string;
  /** The Service port's name, or its port number when it has none (metrics label). */
  portLabel: string;
  servicePort: ServicePort;
  nodePort: number;
  /** Whether the Service has this one port only: then an unnamed endpoint port matches it. */
  onlyPort: boolean;
}

/** Where one connection can be forwarded: a ready endpoint address and its port. */
export interface EndpointTarget {
  ip: string;
  port: number;
  /** `ip:port`, as the metrics name an endpoint. */
  name: string;
}

/**
 * The node-port routes of a Service: its TCP ports with a nodePort when it is of type NodePort or
 * LoadBalancer; none otherwise. UDP and SCTP ports are not forwarded.
 */
export function nodePortRoutes(svc: Service): NodePortRoute[] {
  if (svc.spec.type !== 'NodePort' && svc.spec.type !== 'LoadBalancer') return [];
  const ports = svc.spec.ports ?? [];
  const service = `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
  return ports
    .filter((p) => (p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.nodePort) && p.nodePort! > 0)
    .map((p) => ({
      service,
      portLabel: p.name || String(p.port),
      servicePort: p,
      nodePort: p.nodePort!,
      onlyPort: ports.length === 1,
    }));
}

/**
 * The ready targets of a route in `endpoints`: every ready address of every subset whose port
 * matches the Service port by name (an unnamed Service port, when it is the Service's only one,
 * matches a subset's unnamed or only port). Not-ready addresses are never targets. Stable order,
 * without duplicates.
 */
export function readyTargets(endpoints: Endpoints | undefined, route: NodePortRoute): EndpointTarget[] {
  const name = route.servicePort.name ?? '';
  const seen = new Set<string>();
  const targets: EndpointTarget[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const ports = (subset.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
    let port = ports.find((p) => (p.name ?? '') === name);
    if (!port && !name && route.onlyPort && ports.length === 1) port = ports[0];
    if (!port) continue;
    for (const address of subset.addresses ?? []) {
      const target = `${address.ip}:${port.port}`;
      if (seen.has(target)) continue;
      seen.add(target);
      targets.push({ ip: address.ip, port: port.port, name: target });
    }
  }
  return targets;
}
