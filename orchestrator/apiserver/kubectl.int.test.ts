import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { Kubectl } from '../../testing/kubectl.js';
import { TestControlPlane, TEST_TOKENS } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';

const APP = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: { app: web }
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: echo
          image: crucible/echo
          ports: [{ containerPort: 8080, name: http }]
          env: [{ name: MODE, value: one }]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ port: 80, targetPort: http }]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  colour: blue
`;

describe('kubectl 1.32 against the apiserver (real kubectl, real etcd)', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let kubectl: Kubectl;

  before(async () => {
    cp = await TestControlPlane.start();
    kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    await kubectl.ok(['create', 'namespace', 'shop']);
  });
  after(async () => cp?.stop());

  it('lists namespaces with their status column, including the defaults', async () => {
    const out = await kubectl.ok(['get', 'namespaces']);
    expect(out).to.match(/^NAME\s+STATUS\s+AGE/);
    for (const ns of ['default', 'kube-system', 'kube-node-lease', 'shop'])
      expect(out).to.match(new RegExp(`^${ns}\\s+Active\\s+`, 'm'));
  });

  it('applies a manifest client-side, then configures it on a second apply', async () => {
    const first = await kubectl.ok(['apply', '--validate=false', '-f', '-'], APP);
    expect(first)
      .to.include('deployment.apps/web created')
      .and.include('service/web created')
      .and.include('configmap/settings created');
    const second = await kubectl.ok(
      ['apply', '--validate=false', '-f', '-'],
      APP.replace('value: one', 'value: two').replace('replicas: 2', 'replicas: 4'),
    );
    expect(second).to.include('deployment.apps/web configured').and.include('configmap/settings unchanged');
    const env = await kubectl.ok([
      'get',
      'deployment',
      'web',
      '-n',
      'shop',
      '-o',
      'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env[0].value} {.metadata.generation}',
    ]);
    expect(env).to.equal('4 two 2');
  });

  it('shows deployments, services and configmaps with kubectl columns', async () => {
    const deploy = await kubectl.ok(['get', 'deployments', '-n', 'shop']);
    expect(deploy).to.match(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(deploy).to.match(/^web\s+0\/4\s+0\s+0\s+/m);
    const svc = await kubectl.ok(['get', 'services', '-n', 'shop']);
    expect(svc).to.match(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(svc).to.match(/^web\s+NodePort\s+10\.96\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+/m);
    const cm = await kubectl.ok(['get', 'configmaps', '-n', 'shop']);
    expect(cm).to.match(/^settings\s+1\s+/m);
  });

  it('describes a deployment and a namespace', async () => {
    const out = await kubectl.ok(['describe', 'deployment', 'web', '-n', 'shop']);
    expect(out)
      .to.match(/Name:\s+web/)
      .and.match(/Namespace:\s+shop/)
      .and.match(/Replicas:\s+4 desired/);
    expect(out).to.match(/Image:\s+crucible\/echo/);
    const ns = await kubectl.ok(['describe', 'namespace', 'shop']);
    expect(ns).to.match(/Status:\s+Active/);
  });

  it('applies server-side and reports a conflict with another field manager', async () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: shop\ndata:\n  a: "1"\n`;
    expect(await kubectl.ok(['apply', '--server-side', '-f', '-'], cm)).to.include(
      'configmap/ssa serverside-applied',
    );
    expect(await kubectl.ok(['apply', '--server-side', '-f', '-'], cm.replace('"1"', '"2"'))).to.include(
      'serverside-applied',
    );
    const conflict = await kubectl.run(['apply', '--server-side', '--field-manager=other', '-f', '-'], {
      input: cm.replace('"1"', '"3"'),
    });
    expect(conflict.code).to.not.equal(0);
    expect(conflict.stderr)
      .to.match(/conflict/i)
      .and.include('.data.a');
    expect(await kubectl.ok(['get', 'cm', 'ssa', '-n', 'shop', '-o', 'jsonpath={.data.a}'])).to.equal('2');
  });

  it('patches with strategic-merge, merge and JSON patches', async () => {
    await kubectl.ok([
      'patch',
      'deployment',
      'web',
      '-n',
      'shop',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"echo","image":"crucible/echo:v2"}]}}}}',
    ]);
    await kubectl.ok([
      'patch',
      'deployment',
      'web',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"tier":"front"}}}',
    ]);
    await kubectl.ok([
      'patch',
      'deployment',
      'web',
      '-n',
      'shop',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/replicas","value":3}]',
    ]);
    const out = await kubectl.ok([
      'get',
      'deployment',
      'web',
      '-n',
      'shop',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value} {.metadata.labels.tier} {.spec.replicas}',
    ]);
    expect(out).to.equal('crucible/echo:v2 two front 3');
  });

  it('scales through the scale subresource', async () => {
    expect(await kubectl.ok(['scale', 'deployment', 'web', '-n', 'shop', '--replicas=7'])).to.include(
      'deployment.apps/web scaled',
    );
    expect(
      await kubectl.ok(['get', 'deployment', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}']),
    ).to.equal('7');
  });

  it('creates, lists and describes pods and replicasets', async () => {
    await kubectl.ok(['run', 'solo', '-n', 'shop', '--image=crucible/sleeper', '--restart=Never']);
    const pods = await kubectl.ok(['get', 'pods', '-n', 'shop', '-o', 'wide']);
    expect(pods).to.match(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/);
    expect(pods).to.match(/^solo\s+0\/1\s+Pending\s+0\s+/m);
    const described = await kubectl.ok(['describe', 'pod', 'solo', '-n', 'shop']);
    expect(described)
      .to.match(/Status:\s+Pending/)
      .and.match(/Image:\s+crucible\/sleeper/);
    const rs = `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: cache\n  namespace: shop\nspec:\n  replicas: 2\n  selector:\n    matchLabels: { app: cache }\n  template:\n    metadata:\n      labels: { app: cache }\n    spec:\n      containers: [{ name: c, image: crucible/sleeper }]\n`;
    await kubectl.ok(['create', '-f', '-'], rs);
    expect(await kubectl.ok(['get', 'rs', '-n', 'shop'])).to.match(/^cache\s+2\s+0\s+0\s+/m);
  });

  it('creates objects with kubectl generators, which send protobuf bodies', async () => {
    await kubectl.ok([
      'create',
      'deployment',
      'gen',
      '-n',
      'shop',
      '--image=crucible/echo',
      '--replicas=3',
      '--port=8080',
    ]);
    await kubectl.ok(['create', 'service', 'nodeport', 'gen', '-n', 'shop', '--tcp=80:8080']);
    await kubectl.ok([
      'create',
      'configmap',
      'gen',
      '-n',
      'shop',
      '--from-literal=a=1',
      '--from-literal=b=2',
    ]);
    await kubectl.ok(['create', 'quota', 'gen', '-n', 'shop', '--hard=pods=10']);
    const out = await kubectl.ok([
      'get',
      'deployment/gen',
      'service/gen',
      'configmap/gen',
      'quota/gen',
      '-n',
      'shop',
      '-o',
      'jsonpath={range .items[*]}{.kind}:{.spec.replicas}{.spec.ports[0].targetPort}{.data.b}{.spec.hard.pods} {end}',
    ]);
    expect(out.trim()).to.equal('Deployment:3 Service:8080 ConfigMap:2 ResourceQuota:10');
  });

  it('streams changes with get -w', async () => {
    const child = spawn('kubectl', [
      ...kubectl.flags,
      'get',
      'configmaps',
      '-n',
      'shop',
      '-w',
      '--output-watch-events',
    ]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await pollUntil(() => out.includes('settings'), 10_000, 'condition');
      await kubectl.ok(['create', 'configmap', 'late', '-n', 'shop', '--from-literal=x=y']);
      await kubectl.ok(['label', 'configmap', 'late', '-n', 'shop', 'seen=yes']);
      await kubectl.ok(['delete', 'configmap', 'late', '-n', 'shop']);
      await pollUntil(() => /DELETED\s+late/.test(out), 10_000, 'condition');
      expect(out)
        .to.match(/ADDED\s+late/)
        .and.match(/MODIFIED\s+late/);
      expect(out.search(/ADDED\s+late/)).to.be.lessThan(out.search(/MODIFIED\s+late/));
      expect(out.search(/MODIFIED\s+late/)).to.be.lessThan(out.search(/DELETED\s+late/));
    } finally {
      child.kill();
    }
  });

  it('deletes objects of every kind, and a namespace goes Terminating', async () => {
    for (const args of [
      ['deployment', 'web'],
      ['service', 'web'],
      ['configmap', 'settings'],
      ['pod', 'solo'],
      ['replicaset', 'cache'],
    ]) {
      expect(await kubectl.ok(['delete', ...args, '-n', 'shop'])).to.include('deleted');
      const gone = await kubectl.run(['get', ...args, '-n', 'shop']);
      expect(gone.code).to.equal(1);
      expect(gone.stderr).to.include('NotFound');
    }
    expect(await kubectl.ok(['delete', 'namespace', 'shop', '--wait=false'])).to.include(
      'namespace "shop" deleted',
    );
    expect(await kubectl.ok(['get', 'namespace', 'shop'])).to.match(/^shop\s+Terminating/m);
    const refused = await kubectl.run(['create', 'configmap', 'x', '-n', 'shop']);
    expect(refused.stderr).to.include('because it is being terminated');
  });

  it('answers kubectl auth can-i from RBAC', async () => {
    await kubectl.ok(['create', 'namespace', 'team-a']);
    await kubectl.ok([
      'create',
      'rolebinding',
      'alice-edit',
      '-n',
      'team-a',
      '--clusterrole=edit',
      '--user=alice',
    ]);
    const alice = new Kubectl(cp.url, TEST_TOKENS.alice, cp.caFile);
    await pollUntil(
      async () =>
        (await alice.run(['auth', 'can-i', 'create', 'pods', '-n', 'team-a'])).stdout.trim() === 'yes',
      10_000,
      'condition',
    );
    expect((await alice.run(['auth', 'can-i', 'create', 'pods', '-n', 'team-b'])).stdout.trim()).to.equal(
      'no',
    );
    expect((await alice.run(['auth', 'can-i', 'create', 'namespaces'])).stdout.trim()).to.equal('no');
    const denied = await alice.run(['get', 'pods', '-n', 'team-b']);
    expect(denied.stderr).to.include(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-b"',
    );
  });
});
