import { expect } from 'chai';
import type { NodeStats, PodStats } from '../api/stats-summary.js';
import type { Node, Pod } from '../api/types.js';
import {
  cpuQuantity,
  memoryQuantity,
  nodeMetricsFromSummary,
  podMetricsFromSummary,
} from './metrics-from-summary.js';

const NOW = new Date('2026-01-01T00:01:00Z');
const SAMPLED = '2026-01-01T00:00:59Z';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'burner', namespace: 'team-a', uid: 'uid-1', labels: { app: 'burn' } },
  spec: { containers: [{ name: 'main', image: 'busybox' }] },
} as Pod;

const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', uid: 'n' } } as Node;

function podStats(overrides: Partial<PodStats> = {}): PodStats {
  return {
    podRef: { name: 'burner', namespace: 'team-a', uid: 'uid-1' },
    startTime: '2026-01-01T00:00:00Z',
    containers: [
      {
        name: 'main',
        startTime: '2026-01-01T00:00:00Z',
        cpu: { time: SAMPLED, usageNanoCores: 987_654_321, usageCoreNanoSeconds: 5e10 },
        memory: { time: SAMPLED, workingSetBytes: 1_265_664, rssBytes: 1_265_664, usageBytes: 1_265_664 },
      },
    ],
    ...overrides,
  };
}

describe('resource metrics from a kubelet Summary', () => {
  it('makes a PodMetrics as metrics-server does: nanocores, binary bytes, the window, the pod labels', () => {
    expect(podMetricsFromSummary(pod, podStats(), 1002, NOW)).to.deep.equal({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {
        name: 'burner',
        namespace: 'team-a',
        creationTimestamp: '2026-01-01T00:01:00Z',
        labels: { app: 'burn' },
      },
      timestamp: SAMPLED,
      window: '1.002s',
      containers: [{ name: 'main', usage: { cpu: '987654321n', memory: '1236Ki' } }],
    });
  });

  it('leaves out a pod with a container without a rate, no container, no window or another uid', () => {
    const noRate = podStats();
    delete noRate.containers[0]!.cpu.usageNanoCores;
    expect(podMetricsFromSummary(pod, noRate, 1000, NOW)).to.equal(undefined);
    expect(podMetricsFromSummary(pod, podStats({ containers: [] }), 1000, NOW)).to.equal(undefined);
    expect(podMetricsFromSummary(pod, podStats(), undefined, NOW)).to.equal(undefined);
    const recreated = podStats({ podRef: { name: 'burner', namespace: 'team-a', uid: 'uid-0' } });
    expect(podMetricsFromSummary(pod, recreated, 1000, NOW)).to.equal(undefined);
    expect(podMetricsFromSummary(pod, undefined, 1000, NOW)).to.equal(undefined);
  });

  it("makes a NodeMetrics of the node's usage, none before the node has a rate", () => {
    const stats: NodeStats = {
      nodeName: 'worker-1',
      startTime: '2026-01-01T00:00:00Z',
      cpu: { time: SAMPLED, usageNanoCores: 12_000_000, usageCoreNanoSeconds: 1 },
      memory: { time: SAMPLED, workingSetBytes: 1 << 30, rssBytes: 1 << 30, usageBytes: 1 << 30 },
    };
    expect(nodeMetricsFromSummary(node, stats, 15_000, NOW)).to.deep.equal({
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'worker-1', creationTimestamp: '2026-01-01T00:01:00Z' },
      timestamp: SAMPLED,
      window: '15s',
      usage: { cpu: '12m', memory: '1Gi' },
    });
    expect(nodeMetricsFromSummary(node, { nodeName: 'worker-1', startTime: SAMPLED }, 1000, NOW)).to.equal(
      undefined,
    );
  });

  it('prints quantities canonically', () => {
    expect(cpuQuantity(0)).to.equal('0');
    expect(cpuQuantity(1_500_000_000)).to.equal('1500m');
    expect(cpuQuantity(2_000_000_000)).to.equal('2');
    expect(cpuQuantity(12_345)).to.equal('12345n');
    expect(memoryQuantity(0)).to.equal('0');
    expect(memoryQuantity(1536 * 1024)).to.equal('1536Ki');
    expect(memoryQuantity(3 << 20)).to.equal('3Mi');
    expect(memoryQuantity(1000)).to.equal('1000');
  });
});
