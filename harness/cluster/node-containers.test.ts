import { expect } from 'chai';
import { type ContainerView, matchContainers } from './node-containers.js';

/** A container of a kind-like cluster: its hostname and one address on one network. */
function container(id: string, name: string, hostname: string, ip: string): ContainerView {
  return { id, name, hostname, networks: [{ name: 'kind', ip, aliases: [hostname] }] };
}

describe('matching Nodes to the Docker containers they are', () => {
  const containers = [
    container('aaa111', 'shop-worker', 'shop-worker', '172.18.0.2'),
    container('bbb222', 'shop-worker2', 'shop-worker2', '172.18.0.3'),
    // Another cluster on the same machine, with a node of the same name.
    container('ccc333', 'other-worker', 'shop-worker', '172.19.0.2'),
  ];

  it('takes the container whose hostname is the Node and which holds its InternalIP', () => {
    const { matched, unmatched } = matchContainers(
      [
        { name: 'shop-worker', ip: '172.18.0.2' },
        { name: 'shop-worker2', ip: '172.18.0.3' },
      ],
      containers,
    );
    expect(unmatched).to.deep.equal([]);
    expect(matched.get('shop-worker')).to.deep.equal({
      containerId: 'aaa111',
      network: { name: 'kind', ip: '172.18.0.2', aliases: ['shop-worker'] },
    });
    expect(matched.get('shop-worker2')!.containerId).to.equal('bbb222');
  });

  it('never takes a container that merely shares the name, and says why', () => {
    const { matched, unmatched } = matchContainers([{ name: 'shop-worker', ip: '10.0.0.9' }], containers);
    expect(matched.size).to.equal(0);
    expect(unmatched).to.deep.equal([
      { node: 'shop-worker', reason: 'no container has hostname shop-worker and address 10.0.0.9' },
    ]);
  });

  it('follows a mapping by container name or id prefix, and names a mapping that leads nowhere', () => {
    const { matched, unmatched } = matchContainers(
      [
        { name: 'node-a', ip: '172.19.0.2' },
        { name: 'node-b', ip: '172.18.0.3' },
        { name: 'node-c', ip: '172.18.0.4' },
      ],
      containers,
      { 'node-a': 'other-worker', 'node-b': 'bbb', 'node-c': 'gone' },
    );
    expect(matched.get('node-a')!.containerId).to.equal('ccc333');
    expect(matched.get('node-b')!.containerId).to.equal('bbb222');
    expect(unmatched).to.deep.equal([
      { node: 'node-c', reason: 'the mapping names container "gone", which does not exist' },
    ]);
  });
});
