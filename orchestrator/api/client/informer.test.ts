import { expect } from 'chai';
import { errors, type ApiError } from '../errors.js';
import { findResource } from '../resources.js';
import type { ConfigMap, KubeList, WatchEvent } from '../types.js';
import { pollUntil } from '../../../harness/support/poll-until.js';
import { listPage } from '../../../testing/list-page.js';
import type { ListOptions, WatchOptions } from './api-client.js';
import { Informer, type InformerClient, type InformerErrorSource } from './informer.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;

const cm = (name: string, rv: string, data: Record<string, string> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: 'ns', name, resourceVersion: rv },
  data,
});

interface OpenWatch {
  opts: WatchOptions;
  signal?: AbortSignal;
  emit(type: WatchEvent['type'], object: ConfigMap | { metadata: { resourceVersion: string } }): void;
  end(): void;
  fail(error: ApiError): void;
}

/** A list/watch endpoint the test drives by hand: it serves `objects` and opens watches it can feed. */
class FakeListWatch {
  objects: ConfigMap[] = [];
  listResourceVersion = '10';
  listFailures: ApiError[] = [];
  readonly listCalls: ListOptions[] = [];
  readonly watches: OpenWatch[] = [];

  get current(): OpenWatch {
    return this.watches[this.watches.length - 1]!;
  }

  async list(_r: unknown, _ns: string, opts: ListOptions): Promise<KubeList<ConfigMap>> {
    this.listCalls.push(opts);
    const failure = this.listFailures.shift();
    if (failure) throw failure;
    return structuredClone(listPage(this.objects, opts, this.listResourceVersion, 'ConfigMapList'));
  }

  watch(
    _r: unknown,
    _ns: string,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<ConfigMap>) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => resolve());
      this.watches.push({
        opts,
        signal,
        emit: (type, object) => onEvent({ type, object: structuredClone(object) as ConfigMap }),
        end: resolve,
        fail: reject,
      });
    });
  }
}

describe('Informer', () => {
  let fake: FakeListWatch;
  let informer: Informer<ConfigMap>;
  let events: string[];
  let reported: { source: InformerErrorSource; error: unknown }[];

  const start = async (options: { pageSize?: number; resyncMs?: number } = {}) => {
    informer = new Informer<ConfigMap>({
      client: fake as unknown as InformerClient,
      resource: CONFIGMAPS,
      namespace: 'ns',
      backoffInitialMs: 1,
      backoffMaxMs: 5,
      onError: (error, source) => reported.push({ error, source }),
      ...options,
    });
    informer.addHandlers({
      add: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
      update: (old, o) =>
        events.push(
          `update ${o.metadata.name}@${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`,
        ),
      delete: (o) => events.push(`delete ${o.metadata.name}@${o.metadata.resourceVersion}`),
    });
    informer.start();
    expect(await informer.waitForSync()).to.equal(true);
    await pollUntil(() => fake.watches.length > 0, 10_000, 'a watch');
  };

  beforeEach(() => {
    fake = new FakeListWatch();
    fake.objects = [cm('a', '1'), cm('b', '2'), cm('c', '3')];
    events = [];
    reported = [];
  });
  afterEach(async () => informer?.stop());

  it('lists in pages, tells handlers of each object, then watches from the list with bookmarks', async () => {
    await start({ pageSize: 2 });
    expect(fake.listCalls).to.deep.equal([
      { labelSelector: undefined, fieldSelector: undefined, limit: 2, continue: undefined },
      { labelSelector: undefined, fieldSelector: undefined, limit: 2, continue: '2' },
    ]);
    expect(events).to.deep.equal(['add a@1', 'add b@2', 'add c@3']);
    expect(informer.hasSynced()).to.equal(true);
    expect(fake.current.opts).to.include({ resourceVersion: '10', allowWatchBookmarks: true });
    expect(informer.keys().sort()).to.deep.equal(['ns/a', 'ns/b', 'ns/c']);
  });

  it('applies watch events in order and skips one whose resourceVersion it already holds', async () => {
    await start();
    fake.current.emit('ADDED', cm('d', '11'));
    fake.current.emit('MODIFIED', cm('a', '12', { k: 'v' }));
    fake.current.emit('MODIFIED', cm('a', '12', { k: 'v' }));
    fake.current.emit('DELETED', cm('b', '13'));
    fake.current.emit('DELETED', cm('never-seen', '14'));
    expect(events.slice(3)).to.deep.equal(['add d@11', 'update a@1->12', 'delete b@13']);
    expect(informer.get('ns/a')!.data).to.deep.equal({ k: 'v' });
    expect(informer.get('ns/b')).to.equal(undefined);
    expect(informer.lastSyncResourceVersion()).to.equal('14');
  });

  it('hands out frozen objects', async () => {
    await start();
    let deleted: ConfigMap | undefined;
    informer.addHandlers({ delete: (o) => (deleted = o) });
    fake.current.emit('DELETED', cm('a', '11'));
    expect(Object.isFrozen(informer.get('ns/b')!.metadata)).to.equal(true);
    expect(Object.isFrozen(deleted!.metadata)).to.equal(true);
  });

  it('resumes a watch that ended from the last resourceVersion, a bookmark included', async () => {
    await start();
    fake.current.emit('ADDED', cm('d', '11'));
    fake.current.emit('BOOKMARK', { metadata: { resourceVersion: '20' } });
    fake.current.end();
    await pollUntil(() => fake.watches.length === 2, 10_000, 'a second watch');
    expect(fake.current.opts.resourceVersion).to.equal('20');
    expect(fake.listCalls).to.have.length(1);
    expect(events).to.deep.equal(['add a@1', 'add b@2', 'add c@3', 'add d@11']);
  });

  it('relists on 410 Gone and tells handlers the difference', async () => {
    await start();
    fake.objects = [cm('a', '1'), cm('b', '15', { changed: 'yes' }), cm('d', '16')];
    fake.listResourceVersion = '30';
    fake.current.fail(errors.gone('too old resource version: 10'));
    await pollUntil(() => fake.watches.length === 2, 10_000, 'a watch after the relist');
    expect(fake.listCalls).to.have.length(2);
    expect(events.slice(3)).to.deep.equal(['update b@2->15', 'add d@16', 'delete c@3']);
    expect(fake.current.opts.resourceVersion).to.equal('30');
    expect(reported).to.deep.equal([]);
  });

  it('backs off after another failure and re-watches without relisting', async () => {
    await start();
    fake.current.emit('MODIFIED', cm('a', '11'));
    fake.current.fail(errors.unavailable('apiserver unreachable: ECONNREFUSED'));
    await pollUntil(() => fake.watches.length === 2, 10_000, 'a second watch');
    expect(fake.current.opts.resourceVersion).to.equal('11');
    expect(fake.listCalls).to.have.length(1);
    expect(reported.map((r) => r.source)).to.deep.equal(['watch']);
  });

  it('relists when a re-watch after a failure gets 410', async () => {
    await start();
    fake.current.fail(errors.unavailable('apiserver unreachable'));
    await pollUntil(() => fake.watches.length === 2, 10_000, 'a second watch');
    fake.objects = [cm('a', '1')];
    fake.current.fail(errors.gone('too old resource version'));
    await pollUntil(() => fake.watches.length === 3, 10_000, 'a watch after the relist');
    expect(fake.listCalls).to.have.length(2);
    expect(events.slice(3)).to.deep.equal(['delete b@2', 'delete c@3']);
  });

  it('retries a failing list with back-off before it syncs', async () => {
    fake.listFailures = [errors.unavailable('down'), errors.forbidden('not yet')];
    await start();
    expect(fake.listCalls).to.have.length(3);
    expect(reported.map((r) => r.source)).to.deep.equal(['list', 'list']);
    expect(events).to.have.length(3);
  });

  it('falls back to one unpaged list when a continue token has expired', async () => {
    fake.listFailures = [];
    const list = fake.list.bind(fake);
    fake.list = async (r, ns, opts) => {
      if (opts.continue) {
        fake.listCalls.push(opts);
        throw errors.gone('continue token expired');
      }
      return list(r, ns, opts);
    };
    await start({ pageSize: 2 });
    expect(fake.listCalls.map((o) => o.limit)).to.deep.equal([2, 2, undefined]);
    expect(events).to.deep.equal(['add a@1', 'add b@2', 'add c@3']);
  });

  it('survives a throwing handler: others still hear of the event, later events still come', async () => {
    await start();
    informer.addHandlers({
      add: (o) => {
        if (o.metadata.name === 'd') throw new TypeError('handler bug');
      },
    });
    fake.current.emit('ADDED', cm('d', '11'));
    fake.current.emit('ADDED', cm('e', '12'));
    expect(events.slice(3)).to.deep.equal(['add d@11', 'add e@12']);
    expect(reported.map((r) => r.source)).to.deep.equal(['handler']);
    expect((reported[0]!.error as Error).message).to.equal('handler bug');
  });

  it('tells a handler added after the sync of every cached object', async () => {
    await start();
    const late: string[] = [];
    informer.addHandlers({ add: (o) => late.push(o.metadata.name!) });
    expect(late.sort()).to.deep.equal(['a', 'b', 'c']);
  });

  it('resyncs periodically with update(obj, obj) for every cached object', async () => {
    await start({ resyncMs: 20 });
    await pollUntil(() => events.filter((e) => e.startsWith('update')).length >= 6, 10_000, 'two resyncs');
    expect(events.slice(3, 6).sort()).to.deep.equal(['update a@1->1', 'update b@2->2', 'update c@3->3']);
  });

  it('stops the watch, and is safe to stop twice', async () => {
    await start();
    const watch = fake.current;
    await informer.stop();
    await informer.stop();
    expect(watch.signal?.aborted).to.equal(true);
    expect(fake.watches).to.have.length(1);
    expect(informer.get('ns/a')).to.not.equal(undefined);
  });

  it('answers waitForSync with false when stopped or aborted before syncing', async () => {
    fake.listFailures = Array.from({ length: 1000 }, () => errors.unavailable('down'));
    informer = new Informer<ConfigMap>({
      client: fake as unknown as InformerClient,
      resource: CONFIGMAPS,
      backoffInitialMs: 1,
      onError: () => undefined,
    });
    informer.start();
    const aborter = new AbortController();
    const aborted = informer.waitForSync(aborter.signal);
    const stopped = informer.waitForSync();
    aborter.abort();
    expect(await aborted).to.equal(false);
    await informer.stop();
    expect(await stopped).to.equal(false);
    expect(informer.hasSynced()).to.equal(false);
  });
});
