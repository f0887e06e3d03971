import { expect } from 'chai';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { Pod, ReplicaSet } from '../api/types.js';
import { ReplicaSetController } from './replicaset-controller.js';

const PODS = findResource('', 'v1', 'pods')!;
const RS = findResource('apps', 'v1', 'replicasets')!;

function replicaSet(name: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
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

describe('ReplicaSet controller (real apiserver and etcd)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let stop: () => Promise<void>;

  const owned = async (name: string) =>
    (await client.list<Pod>(PODS, 'default', { labelSelector: `app=${name}` })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    ({ stop } = runControllers(cp, (ctx) => [new ReplicaSetController(ctx)]));
  });
  after(async () => {
    await stop?.();
    await client?.close();
    await cp?.stop();
  });

  it('creates pods up to replicas, owned by the ReplicaSet, and reports them in status', async () => {
    const rs = await client.create(RS, replicaSet('web', 3));
    await pollUntil(async () => (await owned('web')).length === 3, 10_000, '3 pods');
    const pods = await owned('web');
    expect(
      pods.every(
        (p) =>
          p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid &&
          p.metadata.ownerReferences?.[0]?.controller,
      ),
    ).to.equal(true);
    await pollUntil(
      async () => (await client.get<ReplicaSet>(RS, 'default', 'web')).status?.replicas === 3,
      10_000,
      'status.replicas',
    );
  });

  it('scales up and down to exactly the desired count', async () => {
    await client.patch(RS, 'default', 'web', { spec: { replicas: 7 } });
    await pollUntil(async () => (await owned('web')).length === 7, 10_000, '7 pods');
    await client.patch(RS, 'default', 'web', { spec: { replicas: 2 } });
    await pollUntil(async () => (await owned('web')).length === 2, 10_000, '2 pods');
    await new Promise((r) => setTimeout(r, 500));
    expect(await owned('web')).to.have.length(2);
  });

  it('adopts a matching orphan instead of creating another pod', async () => {
    await client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', namespace: 'default', labels: { app: 'adopt' } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
    const rs = await client.create(RS, replicaSet('adopt', 1));
    await pollUntil(
      async () =>
        (await client.get<Pod>(PODS, 'default', 'orphan')).metadata.ownerReferences?.[0]?.uid ===
        rs.metadata.uid,
      10_000,
      'adoption',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect((await owned('adopt')).map((p) => p.metadata.name)).to.deep.equal(['orphan']);
  });

  it('releases a pod whose labels stop matching and replaces it', async () => {
    const [pod] = await owned('adopt');
    await client.patch(PODS, 'default', pod!.metadata.name!, { metadata: { labels: { app: 'elsewhere' } } });
    await pollUntil(
      async () =>
        (await client.get<Pod>(PODS, 'default', pod!.metadata.name!)).metadata.ownerReferences === undefined,
      10_000,
      'release',
    );
    await pollUntil(async () => (await owned('adopt')).length === 1, 10_000, 'replacement');
  });
});
