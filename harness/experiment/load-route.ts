import type { ApiClient } from '../../orchestrator/api/client/index.js';
import type { RunningCluster } from '../cluster/index.js';
import {
  LoadError,
  resolveLoadBalancerTarget,
  resolveServiceTargets,
  type LoadTarget,
} from '../load/index.js';
import type { ScenarioLoad } from '../scenario/scenario.js';

/** How long a load waits for a LoadBalancer Service's balancer when the cluster runs a cloud-controller-manager. */
const LOAD_BALANCER_WAIT_MS = 30_000;

/** Where a load sends its requests, and in words which way it was reached (for the progress line). */
export interface LoadRoute {
  targets: LoadTarget[];
  words: string;
}

/**
 * How a scenario's load reaches its Service, as `via` says: the load balancer (as its clients
 * would: a lost worker then takes no share of the traffic with it), a node port on each worker's
 * address, or the URL the scenario gives. `auto` tries them in that order; `nodes:` pins the load
 * to those workers' node ports.
 */
export async function resolveLoadRoute(
  client: ApiClient,
  cluster: RunningCluster,
  load: ScenarioLoad,
): Promise<LoadRoute> {
  const [namespace, name] = load.service.split('/') as [string, string];
  const viaUrl = (): LoadRoute => ({
    targets: [{ url: load.url!, node: 'url' }],
    words: `the url ${load.url}`,
  });
  if (load.via === 'url') return viaUrl();
  if (load.via !== 'node-port' && !load.nodes) {
    const waitMs = cluster.record.spec.controlPlane.cloudControllerManager || load.via === 'load-balancer';
    const balancer = await resolveLoadBalancerTarget(
      client,
      namespace,
      name,
      load.port,
      waitMs ? LOAD_BALANCER_WAIT_MS : 0,
    );
    if (balancer) return { targets: [balancer], words: `its load balancer ${balancer.url}` };
    if (load.via === 'load-balancer')
      throw new LoadError(
        'ServiceWithoutLoadBalancer',
        `load ${load.name}: Service ${load.service} has no load balancer that accepts connections (type LoadBalancer with status.loadBalancer.ingress)`,
      );
  }
  const workers = cluster.record.workers.filter((w) => !load.nodes || load.nodes.includes(w.name));
  if (workers.length === 0)
    throw new Error(`load ${load.name}: none of its nodes (${load.nodes?.join(', ')}) is a worker`);
  try {
    const targets = await resolveServiceTargets(client, workers, namespace, name, load.port);
    return { targets, words: `node ports on ${workers.map((w) => w.ip).join(', ')}` };
  } catch (e) {
    if (load.via === 'auto' && load.url && e instanceof LoadError && e.code === 'ServiceWithoutNodePort')
      return viaUrl();
    throw e;
  }
}
