import { expect } from 'chai';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { TestControlPlane, TEST_TOKENS } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';

describe('@kubernetes/client-node against the apiserver', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  before(async () => {
    cp = await TestControlPlane.start();
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'crucible', server: cp.url, caData: Buffer.from(cp.ca.certPem).toString('base64') }],
      users: [{ name: 'admin', token: TEST_TOKENS.admin }],
      contexts: [{ name: 'crucible', cluster: 'crucible', user: 'admin' }],
      currentContext: 'crucible',
    });
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });
  after(async () => cp?.stop());

  it('creates, reads, lists, patches and deletes through CoreV1Api', async () => {
    await core.createNamespace({ body: { metadata: { name: 'sdk' } } });
    const cm = await core.createNamespacedConfigMap({
      namespace: 'sdk',
      body: { metadata: { name: 'conf', labels: { app: 'x' } }, data: { a: '1' } },
    });
    expect(cm.metadata?.uid).to.be.a('string');
    const read = await core.readNamespacedConfigMap({ name: 'conf', namespace: 'sdk' });
    expect(read.data).to.deep.equal({ a: '1' });
    const patched = await core.patchNamespacedConfigMap(
      { name: 'conf', namespace: 'sdk', body: { data: { b: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.data).to.deep.equal({ a: '1', b: '2' });
    const list = await core.listNamespacedConfigMap({ namespace: 'sdk', labelSelector: 'app=x' });
    expect(list.items.map((i) => i.metadata?.name)).to.deep.equal(['conf']);
    await core.createNamespacedPod({
      namespace: 'sdk',
      body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'crucible/sleeper' }] } },
    });
    const pod = await core.readNamespacedPod({ name: 'p', namespace: 'sdk' });
    expect(pod.status?.phase).to.equal('Pending');
    expect(pod.spec?.restartPolicy).to.equal('Always');
    await core.deleteNamespacedPod({ name: 'p', namespace: 'sdk' });
    await core.deleteNamespacedConfigMap({ name: 'conf', namespace: 'sdk' });
    const after = await core.listNamespacedConfigMap({ namespace: 'sdk' });
    expect(after.items).to.have.length(0);
  });

  it('manages deployments through AppsV1Api, including the scale subresource', async () => {
    const body: V1Deployment = {
      metadata: { name: 'api' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: { containers: [{ name: 'echo', image: 'crucible/echo' }] },
        },
      },
    };
    const created = await apps.createNamespacedDeployment({ namespace: 'sdk', body });
    expect(created.spec?.strategy?.type).to.equal('RollingUpdate');
    const scale = await apps.readNamespacedDeploymentScale({ name: 'api', namespace: 'sdk' });
    expect(scale.spec?.replicas).to.equal(2);
    await apps.replaceNamespacedDeploymentScale({
      name: 'api',
      namespace: 'sdk',
      body: { ...scale, spec: { replicas: 5 } },
    });
    const read = await apps.readNamespacedDeployment({ name: 'api', namespace: 'sdk' });
    expect(read.spec?.replicas).to.equal(5);
    const stale = { ...created, spec: { ...created.spec!, replicas: 9 } };
    const conflict = await apps
      .replaceNamespacedDeployment({ name: 'api', namespace: 'sdk', body: stale })
      .then(
        () => undefined,
        (e: { code?: number }) => e.code,
      );
    expect(conflict).to.equal(409);
    const list = await apps.listDeploymentForAllNamespaces();
    expect(list.items.map((d) => d.metadata?.name)).to.include('api');
  });

  it('watches with the client-node Watch helper', async () => {
    const seen: string[] = [];
    const watch = new Watch(kc);
    const req = await watch.watch(
      '/api/v1/namespaces/sdk/configmaps',
      {},
      (type, obj: { metadata: { name: string } }) => seen.push(`${type} ${obj.metadata.name}`),
      () => undefined,
    );
    try {
      await core.createNamespacedConfigMap({ namespace: 'sdk', body: { metadata: { name: 'watched' } } });
      await pollUntil(() => seen.includes('ADDED watched'), 10_000, 'watch event');
    } finally {
      req.abort();
    }
  });
});
