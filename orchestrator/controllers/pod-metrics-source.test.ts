import { expect } from 'chai';
import { ResourceMetricsApiSource } from './pod-metrics-source.js';

const podMetrics = (name: string, containers: { name: string; usage: Record<string, string> }[]) => ({
  apiVersion: 'metrics.k8s.io/v1beta1',
  kind: 'PodMetrics',
  metadata: { name, namespace: 'shop' },
  timestamp: '2026-03-04T10:00:00Z',
  window: '1.5s',
  containers,
});

describe('ResourceMetricsApiSource', () => {
  it('reads PodMetrics of the selected pods, summing the containers of each in milli-units', async () => {
    const asked: string[] = [];
    const source = new ResourceMetricsApiSource({
      getPath: async <T>(path: string) => {
        asked.push(path);
        return {
          items: [
            podMetrics('web-1', [
              { name: 'app', usage: { cpu: '250m', memory: '12Mi' } },
              { name: 'sidecar', usage: { cpu: '123456789n', memory: '1Mi' } },
            ]),
            // A container without a sample of the resource leaves its pod out: it counts as missing.
            podMetrics('web-2', [{ name: 'app', usage: { memory: '1Mi' } }]),
          ],
        } as T;
      },
    });
    const usage = await source.podUsage('shop', 'app=web,tier in (front)', 'cpu');
    expect(asked).to.deep.equal([
      '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Dweb%2Ctier%20in%20(front)',
    ]);
    expect([...usage.entries()]).to.deep.equal([
      ['web-1', { milliValue: 374, timestampMs: Date.parse('2026-03-04T10:00:00Z'), windowMs: 1_500 }],
    ]);
  });

  it('fails as upstream when the API fails or returns nothing', async () => {
    const failing = new ResourceMetricsApiSource({
      getPath: () => Promise.reject(new Error('the server could not find the requested resource')),
    });
    let error: Error | undefined;
    await failing.podUsage('shop', 'app=web', 'cpu').catch((e: Error) => (error = e));
    expect(error?.message).to.equal(
      'unable to fetch metrics from resource metrics API: the server could not find the requested resource',
    );
    const empty = new ResourceMetricsApiSource({ getPath: async <T>() => ({ items: [] }) as T });
    await empty.podUsage('shop', 'app=web', 'cpu').catch((e: Error) => (error = e));
    expect(error?.message).to.equal('no metrics returned from resource metrics API');
  });
});
