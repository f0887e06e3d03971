import { expect } from 'chai';
import type { Node, Pod } from '../api/types.js';
import { NodeInfo } from './node-info.js';
import { selectNode } from './select-node.js';

function node(
  name: string,
  opts: { ready?: boolean; cpu?: string; labels?: Record<string, string>; taints?: Node['spec'] } = {},
): NodeInfo {
  return new NodeInfo({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: opts.labels },
    spec: opts.taints ?? {},
    status: {
      allocatable: { cpu: opts.cpu ?? '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  });
}

function pod(name: string, extra: Partial<Pod['spec']> = {}, owner?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      ownerReferences: owner
        ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }]
        : undefined,
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...extra },
  };
}

const withCpu = (cpu: string) => ({
  containers: [{ name: 'c', image: 'i', resources: { requests: { cpu } } }],
});

describe('selectNode', () => {
  it('skips nodes that are not ready and explains when nothing fits', () => {
    const placed = selectNode(pod('p'), [node('a', { ready: false }), node('b', { ready: false })]);
    expect(placed).to.deep.equal({ unschedulable: '0/2 nodes are available: 2 node(s) were not ready.' });
  });

  it('leaves a pod whose requests exceed every node pending, naming the shortage', () => {
    const placed = selectNode(pod('big', withCpu('8')), [node('a'), node('b', { cpu: '2' })]);
    expect(placed).to.deep.equal({ unschedulable: '0/2 nodes are available: 2 Insufficient cpu.' });
  });

  it('accounts for pods already on a node', () => {
    const a = node('a', { cpu: '2' });
    a.addPod('default/x', pod('x', withCpu('1500m')));
    const placed = selectNode(pod('p', withCpu('1')), [a, node('b', { cpu: '2' })]);
    expect('node' in placed && placed.node.node.metadata.name).to.equal('b');
  });

  it('respects taints unless tolerated', () => {
    const tainted = node('t', {
      taints: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    });
    expect(selectNode(pod('p'), [tainted]))
      .to.have.property('unschedulable')
      .that.includes('untolerated taint {dedicated: db}');
    const tolerant = pod('p', {
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }],
    });
    expect(selectNode(tolerant, [tainted])).to.have.property('node');
  });

  it('honours nodeSelector and required node affinity', () => {
    const nodes = [
      node('ssd', { labels: { disk: 'ssd', zone: 'a' } }),
      node('hdd', { labels: { disk: 'hdd', zone: 'b' } }),
    ];
    const bySelector = selectNode(pod('p', { nodeSelector: { disk: 'ssd' } }), nodes);
    expect('node' in bySelector && bySelector.node.node.metadata.name).to.equal('ssd');
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['b'] }] },
          ],
        },
      },
    };
    const byAffinity = selectNode(pod('p', { affinity }), nodes);
    expect('node' in byAffinity && byAffinity.node.node.metadata.name).to.equal('hdd');
  });

  it('spreads the pods of one owner across nodes', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const counts = new Map<string, number>();
    for (let i = 0; i < 9; i++) {
      const p = pod(`p${i}`, {}, 'rs-1');
      const placed = selectNode(p, nodes, { random: () => 0 });
      if (!('node' in placed)) throw new Error('unschedulable');
      placed.node.addPod(`default/p${i}`, p);
      const name = placed.node.node.metadata.name!;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect([...counts.values()]).to.deep.equal([3, 3, 3]);
  });
});
