import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../api/clock.js';
import { ApiError, errors } from '../api/errors.js';
import { findResource, type ResourceType } from '../api/resources.js';
import {
  METRICS_API_VERSION,
  METRICS_GROUP,
  METRICS_RESOURCES,
  METRICS_VERSION,
  type MetricsResource,
  type NodeMetrics,
  type PodMetrics,
} from '../api/resource-metrics.js';
import type { PodStats } from '../api/stats-summary.js';
import type { KubeObject, Node, Pod } from '../api/types.js';
import type { Cachers } from './cacher/index.js';
import { writeJson } from './http-io.js';
import { readNodeSummary, type NodeSummary } from './kubelet-summary-reader.js';
import { nodeMetricsFromSummary, podMetricsFromSummary } from './metrics-from-summary.js';
import type { ObjectStore } from './object-store.js';
import type { ResourceRequestInfo } from './request-info.js';
import { isTableRequest, requestedTable } from './table/index.js';
import { listSelector } from './list-selector.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
/** Pages read from etcd while the watch cache is not ready yet. */
const PAGE_SIZE = 500;

/**
 * The resource metrics API, `metrics.k8s.io/v1beta1`: what metrics-server serves through the
 * aggregation layer, served here by asking the kubelets (`/stats/summary`) at request time. Read
 * only: get and list of `pods` (namespaced) and `nodes`, with label and field selectors as the
 * core lists take them. Pods and nodes come from the watch cache, as metrics-server reads them
 * from its informers. A pod or node whose kubelet does not answer or has no CPU rate yet is left
 * out of a list and is a NotFound to a get, with metrics-server's words.
 */
export class ResourceMetricsHandler {
  constructor(
    private readonly store: ObjectStore,
    private readonly cachers: Cachers,
    private readonly clock: Clock,
    /** Asks one node's kubelet; tests give their own. */
    private readonly readSummary: (node: Node) => Promise<NodeSummary | undefined> = readNodeSummary,
  ) {}

  async handle(
    info: ResourceRequestInfo,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const resource = METRICS_RESOURCES.find((r) => r.resource === info.resourceName);
    if (info.version !== METRICS_VERSION || !resource || info.subresource)
      throw errors.notFound(info.resourceName, METRICS_GROUP, info.name || info.resourceName);
    if (info.verb !== 'get' && info.verb !== 'list')
      throw new ApiError(
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
        { group: METRICS_GROUP, kind: resource.resource },
      );
    if (resource.namespaced ? !info.namespace && info.verb === 'get' : info.namespace)
      throw errors.notFound(info.resourceName, METRICS_GROUP, info.name);
    const answer =
      info.verb === 'get'
        ? await this.get(resource, info.namespace, info.name)
        : await this.list(resource, info.namespace, url.searchParams);
    if (isTableRequest(req.headers.accept))
      return writeJson(res, 200, this.table(answer, resource, req, url));
    writeJson(res, 200, answer);
  }

  private async get(
    resource: MetricsResource,
    namespace: string,
    name: string,
  ): Promise<PodMetrics | NodeMetrics> {
    if (resource.resource === 'pods') {
      const pod = (await this.readOne(PODS, namespace, name)) as Pod | undefined;
      // As metrics-server's pod lister says it.
      if (!pod) throw errors.notFound('pods', '', name);
      const [metrics] = await this.podMetrics([pod]);
      if (!metrics) throw errors.notFound(resource.notFoundResource, METRICS_GROUP, `${namespace}/${name}`);
      return metrics;
    }
    const node = (await this.readOne(NODES, '', name)) as Node | undefined;
    // As metrics-server's node lister says it (client-go's typed listers name the singular).
    if (!node) throw errors.notFound('node', '', name);
    const [metrics] = await this.nodeMetrics([node]);
    if (!metrics) throw errors.notFound(resource.notFoundResource, METRICS_GROUP, name);
    return metrics;
  }

  private async list(resource: MetricsResource, namespace: string, q: URLSearchParams) {
    const matches = listSelector(resource.resource, q).fn;
    if (resource.resource === 'pods') {
      const pods = (await this.readAll(PODS, namespace)).filter(matches) as Pod[];
      return {
        apiVersion: METRICS_API_VERSION,
        kind: 'PodMetricsList',
        metadata: {},
        items: await this.podMetrics(pods),
      };
    }
    const nodes = (await this.readAll(NODES, '')).filter(matches) as Node[];
    return {
      apiVersion: METRICS_API_VERSION,
      kind: 'NodeMetricsList',
      metadata: {},
      items: await this.nodeMetrics(nodes),
    };
  }

  /** The metrics of those of `pods` that have them, in the order given; each node asked once. */
  private async podMetrics(pods: Pod[]): Promise<PodMetrics[]> {
    const nodeNames = [...new Set(pods.map((p) => p.spec.nodeName).filter((n): n is string => !!n))];
    const nodes = await Promise.all(
      nodeNames.map((n) => this.readOne(NODES, '', n) as Promise<Node | undefined>),
    );
    const summaries = await this.summaries(nodes.filter((n): n is Node => !!n));
    // By uid: a pod deleted and created again under its name is another pod, maybe on another node.
    const stats = new Map<string, PodStats>();
    for (const { summary } of summaries.values()) for (const p of summary.pods) stats.set(p.podRef.uid, p);
    const now = this.clock.now();
    return pods.flatMap((pod) => {
      const summary = summaries.get(pod.spec.nodeName ?? '');
      const podStats = summary && stats.get(pod.metadata.uid ?? '');
      const metrics = podMetricsFromSummary(pod, podStats, summary?.windowMs, now);
      return metrics ? [metrics] : [];
    });
  }

  private async nodeMetrics(nodes: Node[]): Promise<NodeMetrics[]> {
    const summaries = await this.summaries(nodes);
    const now = this.clock.now();
    return nodes.flatMap((node) => {
      const summary = summaries.get(node.metadata.name ?? '');
      const metrics = summary && nodeMetricsFromSummary(node, summary.summary.node, summary.windowMs, now);
      return metrics ? [metrics] : [];
    });
  }

  /** Every answering kubelet's Summary, by node name, asked all at once. */
  private async summaries(nodes: Node[]): Promise<Map<string, NodeSummary>> {
    const answers = await Promise.all(
      nodes.map(async (node) => [node.metadata.name!, await this.readSummary(node)] as const),
    );
    return new Map(answers.filter((a): a is [string, NodeSummary] => a[1] !== undefined));
  }

  private async readOne(r: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined> {
    const cacher = this.cachers.for(r);
    if (cacher.ready) return cacher.get(this.store.key(r, namespace, name));
    return this.store.tryGet(r, namespace, name);
  }

  /** The objects of `namespace` ('' for all) in key order: namespace, then name. */
  private async readAll(r: ResourceType, namespace: string): Promise<KubeObject[]> {
    const cacher = this.cachers.for(r);
    if (cacher.ready) return cacher.listNamespace(namespace);
    const items: KubeObject[] = [];
    let startKey: string | undefined;
    let revision = 0;
    do {
      const page = await this.store.list(r, namespace, { limit: PAGE_SIZE, startKey, revision });
      revision = page.revision;
      items.push(...page.items);
      startKey = page.nextKey;
    } while (startKey);
    return items;
  }

  /** `kubectl get pods.metrics.k8s.io`: the generic Name and Age columns. */
  private table(answer: unknown, resource: MetricsResource, req: IncomingMessage, url: URL): unknown {
    const objects =
      'items' in (answer as object) ? (answer as { items: KubeObject[] }).items : [answer as KubeObject];
    return requestedTable(objects, {
      kind: resource.kind,
      query: url.searchParams,
      listMeta: {},
      accept: req.headers.accept,
      now: this.clock.now(),
    });
  }
}
