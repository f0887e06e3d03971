import { expect } from 'chai';
import type { Pod } from '../api/types.js';
import { simulatedPodStatus } from './simulated-pods.js';

const pod = (status?: Pod['status']): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'uid-1' },
  spec: { nodeName: 'sim-1', containers: [{ name: 'a', image: 'crucible/sleeper' }, { name: 'b' }] },
  ...(status ? { status } : {}),
});

describe('simulatedPodStatus', () => {
  it('says what a kubelet says once every container runs: Running, Ready, addresses, running containers', () => {
    const status = simulatedPodStatus(pod(), '10.200.0.2', '10.64.1.1', '2025-01-01T00:00:00Z');
    expect(status).to.deep.include({
      phase: 'Running',
      hostIP: '10.200.0.2',
      podIP: '10.64.1.1',
      podIPs: [{ ip: '10.64.1.1' }],
      startTime: '2025-01-01T00:00:00Z',
    });
    expect(status.conditions?.map((c) => [c.type, c.status])).to.deep.equal([
      ['PodScheduled', 'True'],
      ['Initialized', 'True'],
      ['ContainersReady', 'True'],
      ['Ready', 'True'],
    ]);
    expect(status.containerStatuses).to.deep.equal([
      {
        name: 'a',
        state: { running: { startedAt: '2025-01-01T00:00:00Z' } },
        lastState: {},
        ready: true,
        started: true,
        restartCount: 0,
        image: 'crucible/sleeper',
        imageID: 'simulated://crucible/sleeper',
        containerID: 'simulated://uid-1/a',
      },
      {
        name: 'b',
        state: { running: { startedAt: '2025-01-01T00:00:00Z' } },
        lastState: {},
        ready: true,
        started: true,
        restartCount: 0,
        image: '',
        imageID: 'simulated://',
        containerID: 'simulated://uid-1/b',
      },
    ]);
  });

  it('gives the same status on a later pass, so a Running pod is not written again', () => {
    const first = simulatedPodStatus(pod(), '10.200.0.2', '10.64.1.1', '2025-01-01T00:00:00Z');
    const again = simulatedPodStatus(pod(first), '10.200.0.2', '10.64.1.1', '2025-01-01T00:05:00Z');
    expect(again).to.deep.equal(first);
  });

  it('makes a pod the node lifecycle controller marked not ready Ready again, from now', () => {
    const first = simulatedPodStatus(pod(), '10.200.0.2', '10.64.1.1', '2025-01-01T00:00:00Z');
    const marked = {
      ...first,
      conditions: first.conditions!.map((c) =>
        c.type === 'Ready' ? { ...c, status: 'False' as const, reason: 'NodeNotReady' } : c,
      ),
    };
    const again = simulatedPodStatus(pod(marked), '10.200.0.2', '10.64.1.1', '2025-01-01T00:05:00Z');
    expect(again.conditions?.find((c) => c.type === 'Ready')).to.deep.equal({
      type: 'Ready',
      status: 'True',
      lastTransitionTime: '2025-01-01T00:05:00Z',
    });
    expect(again.startTime).to.equal('2025-01-01T00:00:00Z');
  });
});
