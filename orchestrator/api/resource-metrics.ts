/**
 * The resource metrics API, `metrics.k8s.io/v1beta1` (k8s.io/metrics): the CPU and memory pods and
 * nodes use now, as `kubectl top` and the HorizontalPodAutoscaler read it. In a Kubernetes cluster
 * metrics-server serves it through the aggregation layer; crucible's apiserver serves it itself.
 */
import type { ObjectMeta } from './types.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** `cpu` (cores, e.g. `12m` or `12345678n`) and `memory` (bytes, e.g. `1234Ki`) as quantities. */
export interface ResourceUsage {
  cpu: string;
  memory: string;
}

export interface ContainerMetrics {
  name: string;
  usage: ResourceUsage;
}

interface MetricsObject {
  apiVersion: typeof METRICS_API_VERSION;
  /** name, namespace (pods), labels of the pod or node, and creationTimestamp: when this was read. */
  metadata: ObjectMeta;
  /** When the usage was sampled (metav1.Time). */
  timestamp: string;
  /** The window the CPU rate was measured over, a Go duration (`1s`, `15.02s`). */
  window: string;
}

export interface PodMetrics extends MetricsObject {
  kind: 'PodMetrics';
  containers: ContainerMetrics[];
}

export interface NodeMetrics extends MetricsObject {
  kind: 'NodeMetrics';
  usage: ResourceUsage;
}

export interface MetricsList<T extends PodMetrics | NodeMetrics> {
  apiVersion: typeof METRICS_API_VERSION;
  kind: `${T['kind']}List`;
  metadata: { resourceVersion?: string };
  items: T[];
}

export type PodMetricsList = MetricsList<PodMetrics>;
export type NodeMetricsList = MetricsList<NodeMetrics>;

/** One resource of the group, as discovery lists it and RBAC names it. */
export interface MetricsResource {
  /** The URL segment and the RBAC resource: `pods`, `nodes`. */
  resource: 'pods' | 'nodes';
  kind: 'PodMetrics' | 'NodeMetrics';
  namespaced: boolean;
  /**
   * The resource named in a NotFound for an object without metrics, as metrics-server's storage
   * names it: `podmetrics.metrics.k8s.io "ns/name" not found`.
   */
  notFoundResource: 'podmetrics' | 'nodemetrics';
}

/** What the group serves: read only, get and list. */
export const METRICS_RESOURCES: readonly MetricsResource[] = Object.freeze([
  { resource: 'nodes', kind: 'NodeMetrics', namespaced: false, notFoundResource: 'nodemetrics' },
  { resource: 'pods', kind: 'PodMetrics', namespaced: true, notFoundResource: 'podmetrics' },
]);

export const METRICS_VERBS: readonly string[] = Object.freeze(['get', 'list']);

/**
 * The path of the metrics of the pods of `namespace` ('' for every namespace) that match
 * `labelSelector`, for `ApiClient.getPath`: what an autoscaler reads.
 */
export function podMetricsPath(namespace: string, labelSelector = ''): string {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
  return `/apis/${METRICS_API_VERSION}${ns}/pods${query}`;
}
