import { isDeepStrictEqual } from 'node:util';
import { type ReconcileLoop, type Informer } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { isPodReady } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Endpoints,
  Pod,
  Service,
  ServicePort,
} from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';

const SERVICES = findResource('', 'v1', 'services')!;
const PODS = findResource('', 'v1', 'pods')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;

/**
 * Keeps an Endpoints object per Service with a selector: the ready and not-ready addresses and
 * ports of the matching pods of the same namespace. Pods share their node's address in crucible,
 * so each pod's port is the node port its kubelet serves the container port on
 * (status.portMappings); pods with different ports land in different subsets.
 */
export class EndpointsController implements Controller {
  readonly name = 'endpoints';
  private readonly loop: ReconcileLoop;
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.informer<Service>(SERVICES);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.endpoints = ctx.informers.informer<Endpoints>(ENDPOINTS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    this.services.addHandlers({
      add: (s) => this.loop.enqueue(s),
      update: (_o, s) => this.loop.enqueue(s),
      delete: (s) => this.loop.enqueue(s),
    });
    const podChanged = (pod: Pod) => this.enqueueServicesOf(pod);
    this.pods.addHandlers({
      add: podChanged,
      update: (old, pod) => {
        podChanged(pod);
        if (!isDeepStrictEqual(old.metadata.labels, pod.metadata.labels)) podChanged(old);
      },
      delete: podChanged,
    });
    // Someone else writing our Endpoints (or deleting them) is corrected.
    this.endpoints.addHandlers({
      update: (_o, e) => this.loop.enqueue(e),
      delete: (e) => this.loop.enqueue(e),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private enqueueServicesOf(pod: Pod): void {
    for (const svc of this.services.byIndex('namespace', pod.metadata.namespace ?? '')) {
      if (
        svc.spec.selector &&
        labelSelectorFromObject({ matchLabels: svc.spec.selector }).matches(pod.metadata.labels)
      ) {
        this.loop.enqueue(svc);
      }
    }
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.services.get(key);
    const current = this.endpoints.get(key);
    if (!svc) {
      if (current) await ignoreNotFound(this.ctx.client.delete(ENDPOINTS, namespace, name));
      return;
    }
    // A Service without a selector has hand-made endpoints: not ours to touch.
    if (!svc.spec.selector) return;
    const selector = labelSelectorFromObject({ matchLabels: svc.spec.selector });
    // SABOTAGE endpoints-across-namespaces: the selector is matched against every namespace's pods.
    const candidates = this.ctx.sabotages?.has('endpoints-across-namespaces')
      ? this.pods.list()
      : this.pods.byIndex('namespace', namespace);
    const pods = candidates.filter((p) => selector.matches(p.metadata.labels));
    const subsets = endpointSubsets(svc, pods);
    const labels = svc.metadata.labels;
    if (
      current &&
      isDeepStrictEqual(current.subsets ?? [], subsets) &&
      isDeepStrictEqual(current.metadata.labels, labels)
    )
      return;
    const desired: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name,
        namespace,
        ...(labels ? { labels } : {}),
        ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      subsets,
    };
    // AlreadyExists or Conflict (our cache lags) fails this pass; the retry sees the real object.
    if (current) await this.ctx.client.update(ENDPOINTS, desired);
    else await this.ctx.client.create(ENDPOINTS, desired);
  }
}

/**
 * The subsets of a Service over its pods, as Kubernetes computes them: terminating and
 * address-less pods are left out; ready pods are `addresses`, the others `notReadyAddresses`;
 * pods whose resolved ports are identical share a subset. Sorted, so the result is stable.
 */
export function endpointSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const groups = new Map<
    string,
    { ports: EndpointPort[]; addresses: EndpointAddress[]; notReady: EndpointAddress[] }
  >();
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp || !pod.status?.podIP) continue;
    if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
    const ports = (svc.spec.ports ?? []).flatMap((sp) => {
      const port = resolvePort(sp, pod);
      return port === undefined
        ? []
        : [{ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' }];
    });
    if (ports.length === 0) continue;
    const address: EndpointAddress = {
      ip: pod.status.podIP,
      ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name!,
        uid: pod.metadata.uid,
      },
    };
    const groupKey = JSON.stringify(ports);
    let group = groups.get(groupKey);
    if (!group) groups.set(groupKey, (group = { ports, addresses: [], notReady: [] }));
    (isPodReady(pod) ? group.addresses : group.notReady).push(address);
  }
  const byName = (a: EndpointAddress, b: EndpointAddress) =>
    `${a.ip}/${a.targetRef?.name}`.localeCompare(`${b.ip}/${b.targetRef?.name}`);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.addresses.length ? { addresses: g.addresses.sort(byName) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byName) } : {}),
      ports: g.ports,
    }));
}

/** targetPort (number or container port name) → the port the pod really serves it on. */
function resolvePort(sp: ServicePort, pod: Pod): number | undefined {
  const target = sp.targetPort ?? sp.port;
  let containerPort: number | undefined;
  let containerName: string | undefined;
  if (typeof target === 'number') {
    containerPort = target;
  } else {
    for (const c of pod.spec.containers) {
      const named = c.ports?.find(
        (p) => p.name === target && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'),
      );
      if (named) {
        containerPort = named.containerPort;
        containerName = c.name;
        break;
      }
    }
  }
  if (containerPort === undefined) return undefined;
  const mapping = pod.status?.portMappings?.find(
    (m) => m.containerPort === containerPort && (!containerName || m.containerName === containerName),
  );
  return mapping?.hostPort ?? containerPort;
}

async function ignoreNotFound<T>(p: Promise<T>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isApiError(e, 'NotFound')) throw e;
  }
}
