import { expect } from 'chai';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { controllerOwnerReference } from '../api/pod-helpers.js';
import { findResource, type ResourceType } from '../api/resources.js';
import type { KubeObject, Namespace, Pod } from '../api/types.js';
import { GarbageCollector } from './garbage-collector.js';
import { NamespaceController } from './namespace-controller.js';
import { ReplicaSetController } from './replicaset-controller.js';

const r = (group: string, resource: string) => findResource(group, 'v1', resource)!;
const NAMESPACES = r('', 'namespaces');
const PODS = r('', 'pods');
const CONFIGMAPS = r('', 'configmaps');
const SERVICES = r('', 'services');
const SERVICEACCOUNTS = r('', 'serviceaccounts');
const DEPLOYMENTS = r('apps', 'deployments');
const REPLICASETS = r('apps', 'replicasets');
const ROLES = r('rbac.authorization.k8s.io', 'roles');
const ROLEBINDINGS = r('rbac.authorization.k8s.io', 'rolebindings');
const LEASES = r('coordination.k8s.io', 'leases');

/** What every test namespace is filled with: one object of each kind, same names everywhere. */
function contents(ns: string): [ResourceType, KubeObject][] {
  const meta = (name: string) => ({ name, namespace: ns });
  return [
    [CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('settings'), data: { a: '1' } }],
    [
      PODS,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta('loose'),
        spec: { containers: [{ name: 'c', image: 'crucible/sleeper' }] },
      },
    ],
    [
      SERVICES,
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta('web'),
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      },
    ],
    [SERVICEACCOUNTS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('robot') }],
    [
      ROLES,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: meta('reader'),
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
      },
    ],
    [
      ROLEBINDINGS,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta('reader'),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'User', name: 'alice' }],
      },
    ],
    [
      LEASES,
      {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: meta('lock'),
        spec: { holderIdentity: 'x' },
      },
    ],
    [
      DEPLOYMENTS,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta('web'),
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'i' }] },
          },
        },
      },
    ],
  ];
}

/** A ReplicaSet owned by the namespace's Deployment `web`, as a deployment controller would make it. */
function replicaSetOf(ns: string, deployment: KubeObject): KubeObject {
  const owner = controllerOwnerReference(deployment, DEPLOYMENTS);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-1', namespace: ns, ownerReferences: [owner] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
  };
}

describe('NamespaceController (real apiserver and etcd)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let stop: () => Promise<void>;

  const createNamespace = (name: string) =>
    client.create<Namespace>(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const nsGone = (name: string, timeoutMs = 10_000) =>
    pollUntil(async () => !(await client.tryGet(NAMESPACES, '', name)), timeoutMs, `namespace ${name} gone`);

  async function populate(ns: string): Promise<void> {
    await createNamespace(ns);
    let deployment: KubeObject | undefined;
    for (const [resource, obj] of contents(ns)) {
      const created = await client.create(resource, obj);
      if (resource === DEPLOYMENTS) deployment = created;
    }
    await client.create(REPLICASETS, replicaSetOf(ns, deployment!));
    await pollUntil(
      async () => (await client.list<Pod>(PODS, ns, { labelSelector: 'app=web' })).items.length === 2,
      10_000,
      `pods of ${ns}/web-1`,
    );
  }

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    ({ stop } = runControllers(cp, (ctx) => [
      new NamespaceController(ctx),
      new GarbageCollector(ctx),
      new ReplicaSetController(ctx),
    ]));
  });
  after(async () => {
    await stop?.();
    await client?.close();
    await cp?.stop();
  });

  it('deletes everything in a namespace, then the namespace, and nothing in its sibling', async () => {
    await populate('doomed');
    await populate('sibling');
    const siblingBefore = await Promise.all(
      [
        ...contents('sibling').map(([res, o]) => [res, o.metadata.name!] as const),
        [REPLICASETS, 'web-1'] as const,
      ].map(async ([res, name]) => (await client.get(res, 'sibling', name)).metadata.uid),
    );
    const siblingPods = (await client.list(PODS, 'sibling')).items.map((p) => p.metadata.uid).sort();

    await client.delete(NAMESPACES, '', 'doomed');
    await nsGone('doomed');

    for (const [resource] of [...contents('doomed'), [REPLICASETS] as const]) {
      expect((await client.list(resource, 'doomed')).items, resource.resource).to.deep.equal([]);
    }
    const siblingAfter = await Promise.all(
      [
        ...contents('sibling').map(([res, o]) => [res, o.metadata.name!] as const),
        [REPLICASETS, 'web-1'] as const,
      ].map(async ([res, name]) => (await client.get(res, 'sibling', name)).metadata.uid),
    );
    expect(siblingAfter).to.deep.equal(siblingBefore);
    expect((await client.list(PODS, 'sibling')).items.map((p) => p.metadata.uid).sort()).to.deep.equal(
      siblingPods,
    );
    expect((await client.get<Namespace>(NAMESPACES, '', 'sibling')).status?.phase).to.equal('Active');
  });

  it('waits for content held by a finalizer and says so in the namespace conditions', async () => {
    await createNamespace('held');
    await client.create(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'pinned', namespace: 'held', finalizers: ['example.com/hold'] },
    });
    await client.delete(NAMESPACES, '', 'held');
    const condition = async (type: string) =>
      (await client.get<Namespace>(NAMESPACES, '', 'held')).status?.conditions?.find((c) => c.type === type);
    await pollUntil(
      async () => (await condition('NamespaceFinalizersRemaining'))?.status === 'True',
      10_000,
      'finalizers condition',
    );
    expect((await condition('NamespaceFinalizersRemaining'))?.message).to.include('example.com/hold in 1');
    expect((await condition('NamespaceContentRemaining'))?.message).to.include('configmaps has 1');
    expect((await condition('NamespaceDeletionContentFailure'))?.status).to.equal('False');
    expect((await client.get<Namespace>(NAMESPACES, '', 'held')).status?.phase).to.equal('Terminating');

    await client.patch(CONFIGMAPS, 'held', 'pinned', { metadata: { finalizers: null } });
    await nsGone('held');
  });

  it('removes only its own finalizer, leaving the namespace to the others', async () => {
    await client.create<Namespace>(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shared-finalizers' },
      spec: { finalizers: ['kubernetes', 'example.com/other'] },
    });
    await client.create(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'shared-finalizers' },
    });
    await client.delete(NAMESPACES, '', 'shared-finalizers');
    const finalizers = async () =>
      (await client.get<Namespace>(NAMESPACES, '', 'shared-finalizers')).spec?.finalizers;
    await pollUntil(async () => (await finalizers())?.length === 1, 10_000, 'kubernetes finalizer removed');
    expect(await finalizers()).to.deep.equal(['example.com/other']);
    expect((await client.list(CONFIGMAPS, 'shared-finalizers')).items).to.deep.equal([]);

    const ns = await client.get<Namespace>(NAMESPACES, '', 'shared-finalizers');
    const res = await cp.request('PUT', '/api/v1/namespaces/shared-finalizers/finalize', TEST_TOKENS.admin, {
      ...ns,
      spec: { finalizers: [] },
    });
    expect(res.status).to.equal(200);
    await nsGone('shared-finalizers');
  });

  it('lets `kubectl delete namespace` wait for the namespace to go and exit 0', async () => {
    await populate('by-kubectl');
    const kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    const result = await kubectl.run(['delete', 'namespace', 'by-kubectl'], { timeoutMs: 30_000 });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('namespace "by-kubectl" deleted');
    expect(await client.tryGet(NAMESPACES, '', 'by-kubectl')).to.equal(undefined);
  });
});
