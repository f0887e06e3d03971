import { expect } from 'chai';
import { Kubectl } from '../../testing/kubectl.js';
import { TestControlPlane, TEST_TOKENS } from '../../testing/test-control-plane.js';

const NS = 'shop';

const WEB_INGRESS = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  `metadata: { name: web-ingress, namespace: ${NS} }`,
  'spec:',
  '  podSelector: { matchLabels: { app: web } }',
  '  ingress:',
  '    - from: [{ podSelector: { matchLabels: { role: client } } }]',
  '      ports: [{ port: 8080 }]',
  '  egress:',
  '    - to: [{ ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/16] } }]',
].join('\n');

/**
 * NetworkPolicy served as every other resource is: kubectl applies, lists (with its columns),
 * describes and deletes it; the apiserver defaults it as upstream, refuses a bad field by name, and
 * refuses what crucible's network cannot enforce, saying why.
 */
describe('NetworkPolicy through kubectl 1.32 (real kubectl, real etcd)', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let kubectl: Kubectl;

  before(async () => {
    cp = await TestControlPlane.start();
    kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    await kubectl.ok(['create', 'namespace', NS]);
  });
  after(async () => cp?.stop());

  const applyBad = async (spec: string[]) => {
    const r = await kubectl.run(['apply', '-f', '-'], {
      input: [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        `metadata: { name: bad, namespace: ${NS} }`,
        'spec:',
        ...spec,
      ].join('\n'),
    });
    expect(r.code).to.equal(1);
    // Nothing is stored on a refusal.
    const stored = await kubectl.run(['get', 'netpol', 'bad', '-n', NS]);
    expect(stored.stderr).to.contain('"bad" not found');
    return r.stderr;
  };

  it('is discovered in networking.k8s.io/v1 with its short name', async () => {
    const out = await kubectl.ok(['api-resources', '--api-group=networking.k8s.io']);
    expect(out).to.match(/^networkpolicies\s+netpol\s+networking\.k8s\.io\/v1\s+true\s+NetworkPolicy$/m);
  });

  it('applies a policy and reads back the defaulted policyTypes and port protocol', async () => {
    expect(await kubectl.ok(['apply', '-f', '-'], WEB_INGRESS)).to.contain(
      'networkpolicy.networking.k8s.io/web-ingress created',
    );
    const read = async () =>
      JSON.parse(await kubectl.ok(['get', 'netpol', 'web-ingress', '-n', NS, '-o', 'json'])) as {
        metadata: { generation: number };
        spec: { policyTypes: string[]; ingress: { ports: object[] }[] };
      };
    const policy = await read();
    expect(policy.spec.policyTypes).to.deep.equal(['Ingress', 'Egress']);
    expect(policy.spec.ingress[0]!.ports).to.deep.equal([{ port: 8080, protocol: 'TCP' }]);
    // The rule lists are atomic, so kubectl sends them again (`configured`, as against a real
    // cluster); defaulted once more they equal what is stored, and the spec keeps its generation.
    await kubectl.ok(['apply', '-f', '-'], WEB_INGRESS);
    expect(await read()).to.deep.equal(policy);
  });

  it('lists NAME, POD-SELECTOR and AGE as against a real cluster', async () => {
    await kubectl.ok(
      ['apply', '-f', '-'],
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        `metadata: { name: deny-all, namespace: ${NS} }`,
        'spec: { podSelector: {}, policyTypes: [Ingress, Egress] }',
      ].join('\n'),
    );
    const table = await kubectl.ok(['get', 'netpol', '-n', NS]);
    expect(table).to.match(/^NAME\s+POD-SELECTOR\s+AGE$/m);
    expect(table).to.match(/^deny-all\s+<none>\s+\S+$/m);
    expect(table).to.match(/^web-ingress\s+app=web\s+\S+$/m);
  });

  it('describes a policy', async () => {
    const described = await kubectl.ok(['describe', 'netpol', 'web-ingress', '-n', NS]);
    expect(described).to.match(/^Name:\s+web-ingress$/m);
    expect(described).to.match(/^Namespace:\s+shop$/m);
    expect(described).to.contain('app=web');
    expect(described).to.contain('role=client');
    expect(described).to.contain('10.0.0.0/8');
  });

  it('refuses a bad CIDR with a 422 naming the field', async () => {
    const stderr = await applyBad([
      '  podSelector: {}',
      '  egress: [{ to: [{ ipBlock: { cidr: 10.0.0.0/33 } }] }]',
    ]);
    expect(stderr).to.contain('is invalid');
    expect(stderr).to.contain(
      'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    );
  });

  it("refuses an ingress ipBlock, which crucible's network cannot enforce, saying why", async () => {
    const stderr = await applyBad([
      '  podSelector: {}',
      '  ingress: [{ from: [{ podSelector: {} }, { ipBlock: { cidr: 192.168.0.0/16 } }] }]',
    ]);
    expect(stderr).to.contain(
      "spec.ingress[0].from[1].ipBlock: Unsupported value: ipBlock: crucible's pods share their node's address, so a source address cannot tell pods or outside clients apart; select peers with podSelector/namespaceSelector",
    );
  });

  it('refuses SCTP, which crucible does not forward, saying why', async () => {
    const stderr = await applyBad([
      '  podSelector: {}',
      '  ingress: [{ ports: [{ protocol: SCTP, port: 5000 }] }]',
    ]);
    expect(stderr).to.contain(
      'spec.ingress[0].ports[0].protocol: Unsupported value: "SCTP": crucible\'s network does not forward SCTP',
    );
  });

  it('is readable by view and writable by edit, as upstream', async () => {
    await kubectl.ok(['create', 'rolebinding', 'alice-view', '-n', NS, '--clusterrole=view', '--user=alice']);
    await kubectl.ok(['create', 'rolebinding', 'bob-edit', '-n', NS, '--clusterrole=edit', '--user=bob']);
    const alice = kubectl.as(TEST_TOKENS.alice);
    expect(await alice.ok(['get', 'netpol', '-n', NS, '-o', 'name'])).to.contain(
      'networkpolicy.networking.k8s.io/web-ingress',
    );
    expect((await alice.run(['delete', 'netpol', 'deny-all', '-n', NS])).stderr).to.contain(
      'cannot delete resource "networkpolicies"',
    );
    expect(await kubectl.as(TEST_TOKENS.bob).ok(['delete', 'netpol', 'deny-all', '-n', NS])).to.contain(
      'networkpolicy.networking.k8s.io "deny-all" deleted',
    );
  });

  it('deletes a policy', async () => {
    expect(await kubectl.ok(['delete', 'netpol', 'web-ingress', '-n', NS])).to.contain(
      'networkpolicy.networking.k8s.io "web-ingress" deleted',
    );
    expect((await kubectl.run(['get', 'netpol', '-n', NS])).stderr).to.contain('No resources found');
  });
});
