import { expect } from 'chai';
import { parseCapacity, parseNodeLabels, parseTaints } from './kubelet-command.js';

describe('kubelet flags', () => {
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
});
