import { sleep as sleepOn, systemTimers } from '../api/client/timer-scheduler.js';
import { expect } from 'chai';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { apiVersionOf, findResource, type ResourceType } from '../api/resources.js';
import type { ConfigMap, KubeObject, OwnerReference, Pod, ReplicaSet } from '../api/types.js';
import { GarbageCollector } from './garbage-collector.js';
import { ReplicaSetController } from './replicaset-controller.js';

const PODS = findResource('', 'v1', 'pods')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const RS = findResource('apps', 'v1', 'replicasets')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const CLUSTERROLES = findResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;

function replicaSet(name: string, replicas: number, owners: OwnerReference[] = []): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', ownerReferences: owners.length ? owners : undefined },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'crucible/sleeper' }] },
      },
    },
  };
}

function configMap(
  name: string,
  owners: OwnerReference[] = [],
  meta: Partial<KubeObject['metadata']> = {},
): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', ownerReferences: owners.length ? owners : undefined, ...meta },
  };
}

function refTo(r: ResourceType, owner: KubeObject, blockOwnerDeletion = false): OwnerReference {
  return {
    apiVersion: apiVersionOf(r),
    kind: r.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    ...(blockOwnerDeletion ? { blockOwnerDeletion: true } : {}),
  };
}

const sleep = (ms: number) => sleepOn(systemTimers, ms);

describe('GarbageCollector (real apiserver and etcd)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let stop: () => Promise<void>;

  const podsOf = async (rs: string) =>
    (await client.list<Pod>(PODS, 'default', { labelSelector: `app=${rs}` })).items;
  const exists = async (r: ResourceType, name: string, namespace = 'default') =>
    (await client.tryGet(r, namespace, name)) !== undefined;
  const gone = (r: ResourceType, name: string, namespace = 'default') =>
    pollUntil(async () => !(await exists(r, name, namespace)), 10_000, `${r.resource} ${name} gone`);

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    ({ stop } = runControllers(cp, (ctx) => [new ReplicaSetController(ctx), new GarbageCollector(ctx)]));
  });
  after(async () => {
    await stop?.();
    await client?.close();
    await cp?.stop();
  });

  it('deletes the pods of a ReplicaSet deleted in the background', async () => {
    await client.create(RS, replicaSet('bg', 3));
    await pollUntil(async () => (await podsOf('bg')).length === 3, 10_000, '3 pods');
    await client.delete(RS, 'default', 'bg', { propagationPolicy: 'Background' });
    await pollUntil(async () => (await podsOf('bg')).length === 0, 10_000, 'pods collected');
  });

  it('deletes dependents before their owner in foreground deletion, waiting for blocking ones', async () => {
    const rs = await client.create(RS, replicaSet('fg', 2));
    await pollUntil(async () => (await podsOf('fg')).length === 2, 10_000, '2 pods');
    await client.create(
      CONFIGMAPS,
      configMap('fg-held', [refTo(RS, rs, true)], { finalizers: ['example.com/hold'] }),
    );
    await client.delete(RS, 'default', 'fg', { propagationPolicy: 'Foreground' });

    await pollUntil(async () => (await podsOf('fg')).length === 0, 10_000, 'pods deleted first');
    await pollUntil(
      async () => Boolean((await client.get(CONFIGMAPS, 'default', 'fg-held')).metadata.deletionTimestamp),
      10_000,
      'held dependent marked for deletion',
    );
    await sleep(300);
    const owner = await client.get(RS, 'default', 'fg');
    expect(owner.metadata.deletionTimestamp).to.be.a('string');
    expect(owner.metadata.finalizers).to.include('foregroundDeletion');

    await client.patch(CONFIGMAPS, 'default', 'fg-held', { metadata: { finalizers: null } });
    await gone(CONFIGMAPS, 'fg-held');
    await gone(RS, 'fg');
  });

  it('deletes a chain of owners in foreground from the leaves up', async () => {
    const deploy = await client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'chain', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'chain' } },
        template: {
          metadata: { labels: { app: 'chain' } },
          spec: { containers: [{ name: 'c', image: 'i' }] },
        },
      },
    });
    await client.create(
      RS,
      replicaSet('chain', 2, [{ ...refTo(DEPLOYMENTS, deploy, true), controller: true }]),
    );
    await pollUntil(async () => (await podsOf('chain')).length === 2, 10_000, '2 pods');

    const violations: string[] = [];
    let watching = true;
    const monitor = (async () => {
      while (watching) {
        const [d, rs, pods] = await Promise.all([
          exists(DEPLOYMENTS, 'chain'),
          exists(RS, 'chain'),
          podsOf('chain'),
        ]);
        if (!d && rs) violations.push('deployment gone before its ReplicaSet');
        if (!rs && pods.length) violations.push('ReplicaSet gone before its pods');
        await sleep(5);
      }
    })();
    await client.delete(DEPLOYMENTS, 'default', 'chain', { propagationPolicy: 'Foreground' });
    await gone(DEPLOYMENTS, 'chain');
    watching = false;
    await monitor;
    expect(await exists(RS, 'chain')).to.equal(false);
    expect(await podsOf('chain')).to.have.length(0);
    expect(violations).to.deep.equal([]);
  });

  it('orphans the pods of a ReplicaSet deleted with the Orphan policy', async () => {
    const rs = await client.create(RS, replicaSet('orph', 2));
    await pollUntil(async () => (await podsOf('orph')).length === 2, 10_000, '2 pods');
    await client.delete(RS, 'default', 'orph', { propagationPolicy: 'Orphan' });
    await gone(RS, 'orph');
    await sleep(300);
    const pods = await podsOf('orph');
    expect(pods).to.have.length(2);
    for (const pod of pods) {
      expect(pod.metadata.deletionTimestamp).to.equal(undefined);
      expect(pod.metadata.ownerReferences ?? []).to.satisfy((refs: OwnerReference[]) =>
        refs.every((ref) => ref.uid !== rs.metadata.uid),
      );
    }
  });

  it('keeps a dependent with two owners when one goes, dropping only the dangling reference', async () => {
    const a = await client.create(CONFIGMAPS, configMap('owner-a'));
    const b = await client.create(CONFIGMAPS, configMap('owner-b'));
    await client.create(CONFIGMAPS, configMap('shared', [refTo(CONFIGMAPS, a), refTo(CONFIGMAPS, b)]));
    await client.delete(CONFIGMAPS, 'default', 'owner-a');
    await pollUntil(
      async () => (await client.get(CONFIGMAPS, 'default', 'shared')).metadata.ownerReferences?.length === 1,
      10_000,
      'dangling reference removed',
    );
    const shared = await client.get(CONFIGMAPS, 'default', 'shared');
    expect(shared.metadata.deletionTimestamp).to.equal(undefined);
    expect(shared.metadata.ownerReferences?.map((r) => r.uid)).to.deep.equal([b.metadata.uid]);

    await client.delete(CONFIGMAPS, 'default', 'owner-b');
    await gone(CONFIGMAPS, 'shared');
  });

  it('treats an object of the owner’s name but another uid as a missing owner', async () => {
    await client.create(CONFIGMAPS, configMap('namesake'));
    await client.create(
      CONFIGMAPS,
      configMap('impostor-child', [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'namesake', uid: 'not-its-uid' },
      ]),
    );
    await gone(CONFIGMAPS, 'impostor-child');
    expect(await exists(CONFIGMAPS, 'namesake')).to.equal(true);
  });

  it('resolves a namespaced owner only in the dependent’s namespace', async () => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } });
    const owner = await client.create(CONFIGMAPS, configMap('cross-owner'));
    await client.create(CONFIGMAPS, {
      ...configMap('cross-child', [refTo(CONFIGMAPS, owner)]),
      metadata: { name: 'cross-child', namespace: 'elsewhere', ownerReferences: [refTo(CONFIGMAPS, owner)] },
    });
    await gone(CONFIGMAPS, 'cross-child', 'elsewhere');
    expect(await exists(CONFIGMAPS, 'cross-owner')).to.equal(true);
  });

  it('collects namespaced dependents of a cluster-scoped owner, and ignores a namespaced owner of a cluster-scoped one', async () => {
    const role = await client.create(CLUSTERROLES, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'gc-owner' },
      rules: [],
    });
    await client.create(CONFIGMAPS, configMap('owned-by-cluster', [refTo(CLUSTERROLES, role)]));
    await client.create(CLUSTERROLES, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: {
        name: 'invalid-owner',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nowhere', uid: 'no-such-uid' }],
      },
      rules: [],
    });
    await sleep(500);
    expect(await exists(CONFIGMAPS, 'owned-by-cluster')).to.equal(true);
    expect(await exists(CLUSTERROLES, 'invalid-owner', '')).to.equal(true);

    await client.delete(CLUSTERROLES, '', 'gc-owner');
    await gone(CONFIGMAPS, 'owned-by-cluster');
    expect(await exists(CLUSTERROLES, 'invalid-owner', '')).to.equal(true);
  });
});
