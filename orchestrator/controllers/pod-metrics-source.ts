import type { ApiClient } from '../api/client/index.js';
import { parseDuration } from '../api/duration.js';
import { podMetricsPath, type PodMetricsList } from '../api/resource-metrics.js';
import { milliValue, type PodUsage } from './replica-calculator.js';

/**
 * Where the autoscaler reads the pods' resource usage: upstream's MetricsClient.GetResourceMetric.
 * Resolves to the usage of `resource` per pod name of the pods in `namespace` that `labelSelector`
 * matches; rejects when the metrics cannot be read or none came back.
 */
export interface PodMetricsSource {
  podUsage(namespace: string, labelSelector: string, resource: string): Promise<Map<string, PodUsage>>;
}

/**
 * The resource metrics API (`metrics.k8s.io/v1beta1` PodMetrics) through the apiserver, as
 * upstream's resourceMetricsClient reads it. A pod one of whose containers has no usage of the
 * resource is left out (it counts as missing), as upstream does.
 */
export class ResourceMetricsApiSource implements PodMetricsSource {
  constructor(private readonly client: Pick<ApiClient, 'getPath'>) {}

  async podUsage(namespace: string, labelSelector: string, resource: string): Promise<Map<string, PodUsage>> {
    let list: PodMetricsList;
    try {
      list = await this.client.getPath<PodMetricsList>(podMetricsPath(namespace, labelSelector), {
        retries: 0,
      });
    } catch (e) {
      throw new Error(`unable to fetch metrics from resource metrics API: ${(e as Error).message}`);
    }
    const items = list.items ?? [];
    if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
    const usage = new Map<string, PodUsage>();
    for (const item of items) {
      let sum = 0;
      let complete = item.containers.length > 0;
      for (const c of item.containers) {
        const value = (c.usage as unknown as Record<string, string | undefined>)[resource];
        if (value === undefined) complete = false;
        else sum += milliValue(value);
      }
      if (!complete) continue;
      usage.set(item.metadata.name ?? '', {
        milliValue: sum,
        timestampMs: Date.parse(item.timestamp),
        windowMs: parseDuration(item.window),
      });
    }
    return usage;
  }
}
