import { expect } from 'chai';
import type { Node, Pod } from '../../orchestrator/api/types.js';
import { RecoveryTimeline, readyOnLiveNodes } from './recovery-timeline.js';

function pod(name: string, nodeName: string, ready: boolean, deleting = false): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName, containers: [] },
    status: {
      phase: ready ? 'Running' : 'Pending',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

function node(name: string, ready: 'True' | 'Unknown'): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { conditions: [{ type: 'Ready', status: ready }] },
  };
}

describe('RecoveryTimeline', () => {
  const before = [pod('a', 'worker-1', true), pod('b', 'worker-2', true), pod('c', 'worker-3', true)];
  const timeline = () =>
    new RecoveryTimeline({ lostNode: 'worker-3', lostPods: ['c'], desiredReplicas: 3, killedAt: 10_000 });

  it('does not count the pods of the lost node as ready, whatever their status says', () => {
    expect(readyOnLiveNodes(before, 'worker-3')).to.equal(2);
    const t = timeline();
    t.observePods(before, 10_100);
    expect(t.milestones).to.deep.equal({});
  });

  it('times detection, eviction and recovery from the kill, each when first seen', () => {
    const t = timeline();
    t.observeNode(node('worker-1', 'Unknown'), 10_500);
    t.observeNode(node('worker-3', 'True'), 10_600);
    t.observeNode(node('worker-3', 'Unknown'), 11_000);
    t.observeNode(node('worker-3', 'Unknown'), 11_200);
    const evicted = [before[0]!, before[1]!, pod('c', 'worker-3', true, true)];
    t.observePods(evicted, 12_000);
    const replacement = pod('d', 'worker-1', false);
    t.observePods([...evicted, replacement], 12_100);
    expect(t.complete).to.equal(false);
    t.observePods([...evicted, pod('d', 'worker-1', true)], 13_000);
    t.observePods([before[0]!, before[1]!, pod('d', 'worker-1', true)], 13_500);
    expect(t.complete).to.equal(true);
    expect(t.milestones).to.deep.equal({ detectionMs: 1000, evictionMs: 2000, recoveryMs: 3000 });
  });

  it('counts a lost pod that is gone altogether as evicted', () => {
    const t = timeline();
    t.observePods([before[0]!, before[1]!], 11_500);
    expect(t.milestones.evictionMs).to.equal(1500);
  });
});
