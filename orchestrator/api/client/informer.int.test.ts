import { expect } from 'chai';
import { ApiServer } from '../../apiserver/api-server.js';
import { TestControlPlane, TEST_TOKENS } from '../../../testing/test-control-plane.js';
import { pollUntil } from '../../../harness/support/poll-until.js';
import { findResource } from '../resources.js';
import type { ConfigMap } from '../types.js';
import { ApiClient } from './api-client.js';
import { Informer, type InformerClient } from './informer.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;

describe('Informer against a real apiserver', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  const cleanups: (() => Promise<void>)[] = [];

  const clientFor = (url: string) => {
    const c = new ApiClient({ servers: [url], token: TEST_TOKENS.admin, caPem: cp.ca.certPem });
    cleanups.push(() => c.close());
    return c;
  };

  /** Records what handlers were told, as `add a`, `update a v=2`, `delete b`. */
  const record = (informer: Informer<ConfigMap>, events: string[]) =>
    informer.addHandlers({
      add: (o) => events.push(`add ${o.metadata.name}`),
      update: (_old, o) => events.push(`update ${o.metadata.name} v=${o.data?.v}`),
      delete: (o) => events.push(`delete ${o.metadata.name}`),
    });

  const startInformer = async (namespace: string, c: InformerClient = client) => {
    const informer = new Informer<ConfigMap>({
      client: c,
      resource: CONFIGMAPS,
      namespace,
      pageSize: 2,
      onError: () => undefined,
    });
    cleanups.push(() => informer.stop());
    const events: string[] = [];
    record(informer, events);
    informer.start();
    expect(await informer.waitForSync()).to.equal(true);
    return { informer, events };
  };

  const namespace = async (name: string) => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  };
  const createCm = (c: ApiClient, ns: string, name: string, v = '1') =>
    c.create<ConfigMap>(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace: ns, name },
      data: { v },
    });
  const updateCm = async (c: ApiClient, ns: string, name: string, v: string) => {
    const current = await c.get<ConfigMap>(CONFIGMAPS, ns, name);
    return c.update<ConfigMap>(CONFIGMAPS, { ...current, data: { v } });
  };
  const deleteCm = (c: ApiClient, ns: string, name: string) => c.delete(CONFIGMAPS, ns, name);

  /** A second apiserver on the same etcd, to change things while the informer's apiserver is down. */
  const secondApiServer = async () => {
    const server = new ApiServer({ ...cp['options'], port: 0 });
    const { url } = await server.start();
    cleanups.push(() => server.stop());
    await pollUntil(() => server.ready, 10_000, 'the second apiserver to be ready');
    return { server, client: clientFor(url) };
  };

  before(async () => {
    cp = await TestControlPlane.start();
    client = new ApiClient({ servers: [cp.url], token: TEST_TOKENS.admin, caPem: cp.ca.certPem });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  after(async () => {
    await client?.close();
    await cp?.stop();
  });

  it('lists existing ConfigMaps in pages, then hears of adds, updates and deletes in order', async () => {
    await namespace('informer-basic');
    for (const name of ['a', 'b', 'c']) await createCm(client, 'informer-basic', name);
    const { informer, events } = await startInformer('informer-basic');
    expect(events).to.deep.equal(['add a', 'add b', 'add c']);

    await createCm(client, 'informer-basic', 'd');
    await updateCm(client, 'informer-basic', 'a', '2');
    await deleteCm(client, 'informer-basic', 'b');
    await updateCm(client, 'informer-basic', 'd', '2');
    await updateCm(client, 'informer-basic', 'a', '3');
    await pollUntil(() => events.length === 8, 10_000, 'five events');
    expect(events.slice(3)).to.deep.equal([
      'add d',
      'update a v=2',
      'delete b',
      'update d v=2',
      'update a v=3',
    ]);
    expect(informer.keys().sort()).to.deep.equal([
      'informer-basic/a',
      'informer-basic/c',
      'informer-basic/d',
    ]);
    expect(informer.get('informer-basic/a')!.data).to.deep.equal({ v: '3' });
  });

  it('survives an apiserver restart without missing or repeating an event', async () => {
    await namespace('informer-restart');
    for (const name of ['a', 'b', 'c']) await createCm(client, 'informer-restart', name);
    const { informer, events } = await startInformer('informer-restart');
    const other = await secondApiServer();

    await cp.server.stop();
    await createCm(other.client, 'informer-restart', 'd');
    await updateCm(other.client, 'informer-restart', 'a', '2');
    await deleteCm(other.client, 'informer-restart', 'b');
    await cp.restartApiServer();

    await pollUntil(() => events.length >= 6, 10_000, 'the changes made while the apiserver was down');
    await createCm(client, 'informer-restart', 'e');
    await pollUntil(() => events.length >= 7, 10_000, 'a change made after the restart');
    // Time for any duplicate to show up.
    await new Promise((r) => setTimeout(r, 300));
    expect(events).to.deep.equal(['add a', 'add b', 'add c', 'add d', 'update a v=2', 'delete b', 'add e']);
    expect(informer.keys().sort()).to.deep.equal([
      'informer-restart/a',
      'informer-restart/c',
      'informer-restart/d',
      'informer-restart/e',
    ]);
  });

  it('relists after its resourceVersion was compacted away, telling handlers the difference', async () => {
    await namespace('informer-compact');
    for (const name of ['a', 'b', 'c']) await createCm(client, 'informer-compact', name);
    let lists = 0;
    const counting: InformerClient = {
      list: (...args) => {
        lists++;
        return client.list(...args);
      },
      watch: (...args) => client.watch(...args),
    };
    const { informer, events } = await startInformer('informer-compact', counting);
    const listsAtSync = lists;
    const other = await secondApiServer();

    await cp.server.stop();
    await updateCm(other.client, 'informer-compact', 'a', '2');
    await createCm(other.client, 'informer-compact', 'd');
    await deleteCm(other.client, 'informer-compact', 'b');
    const storage = other.server['storage'];
    await storage.compact(await storage.currentRevision());
    await cp.restartApiServer();

    await pollUntil(() => events.length >= 6, 10_000, 'the relist to be told');
    await new Promise((r) => setTimeout(r, 300));
    expect(lists).to.be.greaterThan(listsAtSync);
    expect(events.slice(3)).to.deep.equal(['update a v=2', 'add d', 'delete b']);
    expect(informer.keys().sort()).to.deep.equal([
      'informer-compact/a',
      'informer-compact/c',
      'informer-compact/d',
    ]);

    await updateCm(client, 'informer-compact', 'c', '2');
    await pollUntil(() => events.length === 7, 10_000, 'the watch after the relist');
    expect(events[6]).to.equal('update c v=2');
  });
});
