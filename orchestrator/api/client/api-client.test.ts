import { expect } from 'chai';
import { errors } from '../errors.js';
import { findResource } from '../resources.js';
import type { ConfigMap, KubeList } from '../types.js';
import { listPage } from '../../../testing/list-page.js';
import { ApiClient, listAll, nodeProxyPath, type ListOptions } from './api-client.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;

const cm = (name: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

/** A list endpoint serving `objects` in pages whose continue token is the next index. */
class FakeLister {
  readonly calls: { namespace: string; opts: ListOptions }[] = [];
  /** Called before each page is served. */
  beforePage: (call: number) => void = () => {};

  constructor(readonly objects: ConfigMap[]) {}

  async list<T>(_r: unknown, namespace: string, opts: ListOptions): Promise<KubeList<T & ConfigMap>> {
    this.calls.push({ namespace, opts });
    this.beforePage(this.calls.length);
    return listPage(this.objects as (T & ConfigMap)[], opts, `rv${this.calls.length}`, 'ConfigMapList');
  }
}

const asClient = (fake: FakeLister) => fake as unknown as Pick<ApiClient, 'list'>;

describe('listAll', () => {
  const five = ['a', 'b', 'c', 'd', 'e'].map(cm);

  it('follows the continue tokens to the end, with the selectors on every page', async () => {
    const fake = new FakeLister(five);
    const listed = await listAll(asClient(fake), CONFIGMAPS, {
      namespace: 'ns',
      labelSelector: 'app=web',
      fieldSelector: 'metadata.name!=x',
      limit: 2,
    });
    expect(listed.items.map((o) => o.metadata.name)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(listed.resourceVersion, 'the last page’s').to.equal('rv3');
    expect(fake.calls.map((c) => c.opts.continue)).to.deep.equal([undefined, '2', '4']);
    for (const { namespace, opts } of fake.calls) {
      expect(namespace).to.equal('ns');
      expect(opts).to.include({ labelSelector: 'app=web', fieldSelector: 'metadata.name!=x', limit: 2 });
    }
  });

  it('reads everything of every namespace in one request without a limit', async () => {
    const fake = new FakeLister(five);
    const listed = await listAll(asClient(fake), CONFIGMAPS);
    expect(listed.items).to.have.length(5);
    expect(listed.resourceVersion).to.equal('rv1');
    expect(fake.calls).to.deep.equal([
      {
        namespace: '',
        opts: { labelSelector: undefined, fieldSelector: undefined, limit: undefined, continue: undefined },
      },
    ]);
  });

  it('rejects with a page’s error, such as 410 Gone for an expired continue token', async () => {
    const fake = new FakeLister(five);
    fake.beforePage = (call) => {
      if (call === 2) throw errors.gone('continue token expired');
    };
    const failure = await listAll(asClient(fake), CONFIGMAPS, { limit: 2 }).catch((e: unknown) => e);
    expect(failure).to.have.property('code', 410);
  });

  it('asks for no further page once its signal aborts', async () => {
    const fake = new FakeLister(five);
    const abort = new AbortController();
    fake.beforePage = (call) => {
      if (call === 2) abort.abort(new Error('stopped'));
    };
    const failure = await listAll(asClient(fake), CONFIGMAPS, { limit: 2, signal: abort.signal }).catch(
      (e: unknown) => e,
    );
    expect(failure).to.have.property('message', 'stopped');
    expect(fake.calls).to.have.length(2);
  });
});

describe('ApiClient options and paths', () => {
  it('addresses a kubelet path through the node proxy', () => {
    expect(nodeProxyPath('worker-1', '/pods')).to.equal('/api/v1/nodes/worker-1/proxy/pods');
    expect(nodeProxyPath('worker-1', 'metrics')).to.equal('/api/v1/nodes/worker-1/proxy/metrics');
  });
});
