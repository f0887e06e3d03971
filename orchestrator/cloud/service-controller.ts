import { isDeepStrictEqual } from 'node:util';
import { type Informer, ReconcileLoop } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import { isSimulatedNode } from '../api/simulated-nodes.js';
import type { Node, Service } from '../api/types.js';
import type { CloudContext } from './cloud-context.js';
import { type LoadBalancerNode, loadBalancerPorts } from './cloud-provider.js';

const SERVICES = findResource('', 'v1', 'services')!;
const NODES = findResource('', 'v1', 'nodes')!;

/**
 * The cloud-controller-manager's service controller: every Service of type LoadBalancer gets a
 * balancer in the cloud that forwards its ports to their node ports on every worker, and its
 * status.loadBalancer.ingress says where; a Service that goes (or stops being a LoadBalancer)
 * loses its balancer. Node changes resync every balancer.
 */
export class ServiceController {
  readonly name = 'service';
  private readonly loop: ReconcileLoop;
  private readonly services: Informer<Service>;
  private readonly nodes: Informer<Node>;

  constructor(private readonly ctx: CloudContext) {
    this.services = ctx.informers.informer<Service>(SERVICES);
    this.nodes = ctx.informers.informer<Node>(NODES);
    this.loop = new ReconcileLoop({
      name: this.name,
      workers: 2,
      reconcile: (key) => this.reconcile(key),
      onError: (key, e) =>
        ctx.log.warn({ controller: this.name, key, err: (e as Error).message }, 'reconcile failed'),
    });
    this.services.addHandlers({
      add: (s) => this.loop.enqueue(s),
      update: (o, s) => {
        if (!isDeepStrictEqual(o.spec, s.spec) || !isDeepStrictEqual(o.status, s.status))
          this.loop.enqueue(s);
      },
      delete: (s) => this.loop.enqueue(s),
    });
    const resyncAll = () => {
      for (const s of this.services.list()) if (s.spec.type === 'LoadBalancer') this.loop.enqueue(s);
    };
    this.nodes.addHandlers({
      add: resyncAll,
      update: (o, n) => {
        if (!isDeepStrictEqual(internalIp(o), internalIp(n))) resyncAll();
      },
      delete: resyncAll,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    // Balancers whose Service went while no controller ran.
    try {
      for (const key of await this.ctx.cloud.loadBalancers.list()) this.loop.enqueue(key);
    } catch (e) {
      this.ctx.log.warn({ err: (e as Error).message }, 'listing load balancers failed');
    }
    await this.loop.run(signal);
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.services.get(key);
    if (!svc || svc.metadata.deletionTimestamp || svc.spec.type !== 'LoadBalancer') {
      await this.ctx.cloud.loadBalancers.remove(namespace, name);
      if (svc?.status?.loadBalancer?.ingress?.length) await this.writeIngress(svc, []);
      return;
    }
    if (loadBalancerPorts(svc).length === 0) return; // the apiserver has not given it node ports yet
    const ingress = await this.ctx.cloud.loadBalancers.ensure(svc, this.backendNodes());
    if (!isDeepStrictEqual(svc.status?.loadBalancer?.ingress ?? [], ingress)) {
      await this.writeIngress(svc, ingress);
      this.ctx.recorder.event(
        svc,
        'Normal',
        'EnsuredLoadBalancer',
        `Ensured load balancer at ${ingress.map((i) => i.ip).join(', ')}`,
      );
    }
  }

  private async writeIngress(svc: Service, ingress: { ip: string }[]): Promise<void> {
    try {
      await this.ctx.client.patch(
        SERVICES,
        svc.metadata.namespace!,
        svc.metadata.name!,
        { status: { loadBalancer: { ingress } } },
        'merge',
        'status',
      );
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  /** The workers a balancer forwards to: every node with an InternalIP, simulated nodes aside. */
  private backendNodes(): LoadBalancerNode[] {
    return this.nodes
      .list()
      .filter((n) => !isSimulatedNode(n))
      .map((n) => ({ name: n.metadata.name!, address: internalIp(n) ?? '' }))
      .filter((n) => n.address)
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

function internalIp(n: Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}
