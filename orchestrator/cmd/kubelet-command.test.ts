import { expect } from 'chai';
import {
  parseCapacity,
  parseImageFlags,
  parseNodeLabels,
  parseNodeNamePrefix,
  parseSimulatedNodeCount,
  parseTaints,
} from './kubelet-command.js';
import { formatTaint } from '../api/taints.js';
import type { Taint } from '../api/types.js';

describe('kubelet flags', () => {
  it('reads every --image, and names each problem with the flag', () => {
    expect(
      parseImageFlags(['my-api:1.0=/srv/my-api:["node","server.js"]', 'tool=/opt/tool:["./tool"]']),
    ).to.deep.equal([
      { image: 'my-api:1.0', dir: '/srv/my-api', command: ['node', 'server.js'] },
      { image: 'tool', dir: '/opt/tool', command: ['./tool'] },
    ]);
    expect(() => parseImageFlags(['tool=/a:["./tool"]', 'tool:latest=/b:["./tool"]', 'x=/c:"./x"'])).to.throw(
      '--image: tool:latest is given twice\n--image: "x=/c:"./x"" is not <image>=<dir>',
    );
  });

  it('reads --capacity as resource=quantity pairs and rejects a pair without a quantity', () => {
    expect(parseCapacity('cpu=4, memory=8Gi,pods=110')).to.deep.equal({
      cpu: '4',
      memory: '8Gi',
      pods: '110',
    });
    expect(() => parseCapacity('cpu=')).to.throw('--capacity: "cpu=" is not resource=quantity');
  });

  it('reads --node-labels, allowing empty values as Kubernetes labels do', () => {
    expect(parseNodeLabels('zone=a,disk=')).to.deep.equal({ zone: 'a', disk: '' });
    expect(parseNodeLabels('')).to.deep.equal({});
    expect(() => parseNodeLabels('zone')).to.throw('--node-labels: "zone" is not key=value');
  });

  it('reads --register-with-taints in upstream’s key[=value]:Effect form', () => {
    expect(parseTaints('dedicated=db:NoSchedule,gpu:NoExecute')).to.deep.equal([
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
      { key: 'gpu', effect: 'NoExecute' },
    ]);
    expect(() => parseTaints('gpu:Sometimes')).to.throw('--register-with-taints: "gpu:Sometimes"');
  });

  it('reads back what formatTaint writes, so the harness and the kubelet agree on a taint', () => {
    const taints: Taint[] = [
      { key: 'crucible.dev/simulated', value: 'true', effect: 'NoSchedule' },
      { key: 'gpu', effect: 'NoExecute' },
    ];
    expect(taints.map(formatTaint)).to.deep.equal([
      'crucible.dev/simulated=true:NoSchedule',
      'gpu:NoExecute',
    ]);
    expect(parseTaints(taints.map(formatTaint).join(','))).to.deep.equal(taints);
  });

  it('reads --simulated-nodes as a whole number from 1 to 10000 and --node-name-prefix as the start of a node name', () => {
    expect(parseSimulatedNodeCount('1000')).to.equal(1000);
    for (const bad of ['0', '-3', '2.5', 'many', '10001'])
      expect(() => parseSimulatedNodeCount(bad), bad).to.throw('--simulated-nodes');
    expect(parseNodeNamePrefix('sim-')).to.equal('sim-');
    for (const bad of ['Sim-', '-sim', 'sim_', ''])
      expect(() => parseNodeNamePrefix(bad), bad).to.throw('--node-name-prefix');
  });
});
