import { expect } from 'chai';
import type { Pod } from '../api/types.js';
import type { ContainerInfo } from './container-runtime.js';
import type { ContainerUsage } from './container-usage.js';
import type { SampledContainer } from './resource-usage-sampler.js';
import { buildStatsSummary } from './stats-summary-builder.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:00:01Z');

function pod(name: string, uid: string, containers: string[]): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'team-a', uid },
    spec: { containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
    status: { phase: 'Running', startTime: '2026-01-01T00:00:00Z' },
  } as Pod;
}

function sampled(
  podUid: string,
  containerName: string,
  usage: Partial<ContainerUsage>,
): { container: SampledContainer; usage: ContainerUsage } {
  const info: ContainerInfo = {
    id: `${podUid}-${containerName}`,
    podUid,
    namespace: 'team-a',
    podName: 'p',
    containerName,
    pid: 2,
    startedAt: T0,
    state: 'running',
    logPath: '/dev/null',
  };
  return {
    container: { info, pgid: 1 },
    usage: { time: T1, usageCoreNanoSeconds: 0, rssBytes: 0, processTicks: new Map(), ...usage },
  };
}

describe('buildStatsSummary', () => {
  it("lists each pod with its sampled containers in the pod's order, and their usage summed for the pod", () => {
    const summary = buildStatsSummary({
      nodeName: 'worker-1',
      startedAt: T0,
      pods: [pod('web', 'uid-web', ['app', 'sidecar'])],
      containers: [
        sampled('uid-web', 'sidecar', { usageNanoCores: 1_000_000, usageCoreNanoSeconds: 5, rssBytes: 1024 }),
        sampled('uid-web', 'app', { usageNanoCores: 250_000_000, usageCoreNanoSeconds: 7, rssBytes: 4096 }),
      ],
      node: {
        time: T1,
        usageCoreNanoSeconds: 12,
        usageNanoCores: 251_000_000,
        windowMs: 1000,
        rssBytes: 5120,
      },
    });
    expect(summary).to.deep.equal({
      node: {
        nodeName: 'worker-1',
        startTime: '2026-01-01T00:00:00Z',
        cpu: { time: '2026-01-01T00:00:01Z', usageNanoCores: 251_000_000, usageCoreNanoSeconds: 12 },
        memory: { time: '2026-01-01T00:00:01Z', workingSetBytes: 5120, rssBytes: 5120, usageBytes: 5120 },
      },
      pods: [
        {
          podRef: { name: 'web', namespace: 'team-a', uid: 'uid-web' },
          startTime: '2026-01-01T00:00:00Z',
          containers: [
            {
              name: 'app',
              startTime: '2026-01-01T00:00:00Z',
              cpu: { time: '2026-01-01T00:00:01Z', usageNanoCores: 250_000_000, usageCoreNanoSeconds: 7 },
              memory: {
                time: '2026-01-01T00:00:01Z',
                workingSetBytes: 4096,
                rssBytes: 4096,
                usageBytes: 4096,
              },
            },
            {
              name: 'sidecar',
              startTime: '2026-01-01T00:00:00Z',
              cpu: { time: '2026-01-01T00:00:01Z', usageNanoCores: 1_000_000, usageCoreNanoSeconds: 5 },
              memory: {
                time: '2026-01-01T00:00:01Z',
                workingSetBytes: 1024,
                rssBytes: 1024,
                usageBytes: 1024,
              },
            },
          ],
          cpu: { time: '2026-01-01T00:00:01Z', usageNanoCores: 251_000_000, usageCoreNanoSeconds: 12 },
          memory: { time: '2026-01-01T00:00:01Z', workingSetBytes: 5120, rssBytes: 5120, usageBytes: 5120 },
        },
      ],
    });
  });

  it('leaves the rate out where a container has none yet, and usage out of a pod nothing of which was sampled', () => {
    const summary = buildStatsSummary({
      nodeName: 'worker-1',
      startedAt: T0,
      pods: [pod('new', 'uid-new', ['app', 'sidecar']), pod('pending', 'uid-pending', ['app'])],
      containers: [
        sampled('uid-new', 'app', { usageNanoCores: 3, usageCoreNanoSeconds: 9 }),
        sampled('uid-new', 'sidecar', { usageCoreNanoSeconds: 1 }),
      ],
      node: undefined,
    });
    expect(summary.node).to.deep.equal({ nodeName: 'worker-1', startTime: '2026-01-01T00:00:00Z' });
    const [fresh, pending] = summary.pods;
    expect(fresh!.containers[1]!.cpu).to.deep.equal({
      time: '2026-01-01T00:00:01Z',
      usageCoreNanoSeconds: 1,
    });
    expect(fresh!.cpu).to.deep.equal({ time: '2026-01-01T00:00:01Z', usageCoreNanoSeconds: 10 });
    expect(pending).to.deep.equal({
      podRef: { name: 'pending', namespace: 'team-a', uid: 'uid-pending' },
      startTime: '2026-01-01T00:00:00Z',
      containers: [],
    });
  });
});
