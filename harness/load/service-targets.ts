import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { ApiError } from '../../orchestrator/api/errors.js';
import { findResource } from '../../orchestrator/api/resources.js';
import { tcpConnects } from '../../orchestrator/api/tcp-connect.js';
import type { Service, ServicePort } from '../../orchestrator/api/types.js';
import type { LoadTarget } from './load-driver.js';
import { LoadError } from './load-error.js';
import { sleep } from '../support/index.js';

const SERVICES = findResource('', 'v1', 'services')!;

/** A worker the load can go through: its node name and the address its node ports listen on. */
export interface LoadWorker {
  name: string;
  ip: string;
}

/**
 * The URLs that reach a Service through its node port on each of `workers`, as a client outside
 * the cluster would: `http://<worker ip>:<nodePort>`, one per worker, named by the worker, so
 * each sample says which node it went through. `port` picks the Service port by number or name;
 * it may be left out when the Service has one port.
 */
export async function resolveServiceTargets(
  client: Pick<ApiClient, 'get'>,
  workers: readonly LoadWorker[],
  namespace: string,
  name: string,
  port?: number | string,
): Promise<LoadTarget[]> {
  const service = await getService(client, namespace, name);
  const chosen = choosePort(service.spec.ports ?? [], namespace, name, port);
  if (!chosen.nodePort) {
    throw new LoadError(
      'ServiceWithoutNodePort',
      `Service ${namespace}/${name} port ${describe(chosen)} has no node port (type ${service.spec.type ?? 'ClusterIP'}): ` +
        'the load reaches Services through node ports; make it type NodePort',
    );
  }
  if (workers.length === 0)
    throw new LoadError(
      'ServiceTargetNeedsCluster',
      `no workers to reach Service ${namespace}/${name} through`,
    );
  return workers.map((w) => ({ url: `http://${w.ip}:${chosen.nodePort}`, node: w.name }));
}

/**
 * The URL that reaches a Service of type LoadBalancer through its load balancer, as a client of a
 * cloud would: `http://<status.loadBalancer.ingress[0].ip>:<port>`, named `load-balancer`. Waits up
 * to `waitMs` for the cloud-controller-manager to write the ingress and for the balancer to accept
 * connections. Undefined when the Service is of another type or has no ingress by then, so the
 * caller can fall back to node ports.
 */
export async function resolveLoadBalancerTarget(
  client: Pick<ApiClient, 'get'>,
  namespace: string,
  name: string,
  port?: number | string,
  waitMs = 0,
  canConnect: (host: string, port: number) => Promise<boolean> = (host, port) =>
    tcpConnects(host, port, 1000),
): Promise<LoadTarget | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const service = await getService(client, namespace, name);
    if (service.spec.type !== 'LoadBalancer') return undefined;
    const chosen = choosePort(service.spec.ports ?? [], namespace, name, port);
    const ip = service.status?.loadBalancer?.ingress?.find((i) => i.ip)?.ip;
    if (ip && (await canConnect(ip, chosen.port)))
      return { url: `http://${ip}:${chosen.port}`, node: 'load-balancer' };
    if (Date.now() >= deadline) return undefined;
    await sleep(200);
  }
}

/** The Service, or a LoadError that names it when it does not exist. */
async function getService(client: Pick<ApiClient, 'get'>, namespace: string, name: string): Promise<Service> {
  try {
    return await client.get<Service>(SERVICES, namespace, name);
  } catch (e) {
    if (e instanceof ApiError && e.code === 404)
      throw new LoadError('ServiceNotFound', `Service ${namespace}/${name} not found`);
    throw e;
  }
}

function choosePort(
  ports: readonly ServicePort[],
  namespace: string,
  name: string,
  wanted: number | string | undefined,
): ServicePort {
  const list = ports.map(describe).join(', ') || 'none';
  if (wanted === undefined) {
    if (ports.length === 1) return ports[0]!;
    throw new LoadError(
      'ServicePortNotFound',
      `Service ${namespace}/${name} has ${ports.length} ports (${list}): say which, e.g. ${namespace}/${name}:${ports[0]?.port ?? 80}`,
    );
  }
  const found = ports.find((p) => (typeof wanted === 'number' ? p.port === wanted : p.name === wanted));
  if (found) return found;
  throw new LoadError(
    'ServicePortNotFound',
    `Service ${namespace}/${name} has no port ${wanted} (ports: ${list})`,
  );
}

function describe(p: ServicePort): string {
  return p.name ? `${p.port} (${p.name})` : String(p.port);
}
