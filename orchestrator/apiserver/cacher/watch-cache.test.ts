import { expect } from 'chai';
import type { KubeObject } from '../../api/types.js';
import { WatchCache, type CacheEvent } from './watch-cache.js';

const key = (ns: string, name: string) => `/registry/configmaps/${ns}/${name}`;
const cm = (ns: string, name: string, rv: number, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: ns, name, resourceVersion: String(rv) },
  data,
});
const namespaceOf = (k: string) => k.split('/')[3]!;
const describeEvent = (e: CacheEvent) => `${e.type} ${e.object.metadata.name}@${e.revision}`;

describe('WatchCache', () => {
  it('turns puts and deletes into ADDED, MODIFIED and DELETED with what the object was before', () => {
    const cache = new WatchCache(undefined, namespaceOf);
    cache.replace([], 10);
    const added = cache.apply(
      { type: 'PUT', key: key('a', 'x'), object: cm('a', 'x', 11), revision: 11 },
      0,
    )!;
    const modified = cache.apply(
      { type: 'PUT', key: key('a', 'x'), object: cm('a', 'x', 12, { v: '2' }), revision: 12 },
      0,
    )!;
    const deleted = cache.apply({ type: 'DELETE', key: key('a', 'x'), revision: 13 }, 0)!;
    expect([added, modified, deleted].map(describeEvent)).to.deep.equal([
      'ADDED x@11',
      'MODIFIED x@12',
      'DELETED x@13',
    ]);
    expect(modified.previous?.metadata.resourceVersion).to.equal('11');
    expect(deleted.object.data).to.deep.equal({ v: '2' });
    expect(deleted.object.metadata.resourceVersion, 'the deletion’s revision').to.equal('13');
    expect(deleted.namespace).to.equal('a');
    expect(cache.get(key('a', 'x'))).to.equal(undefined);
    expect(cache.revision).to.equal(13);
  });

  it('ignores a change it already applied and the delete of a key it never held', () => {
    const cache = new WatchCache(undefined, namespaceOf);
    cache.replace([[key('a', 'x'), cm('a', 'x', 5)]], 5);
    expect(
      cache.apply({ type: 'PUT', key: key('a', 'x'), object: cm('a', 'x', 5), revision: 5 }, 0),
    ).to.equal(undefined);
    expect(cache.apply({ type: 'DELETE', key: key('a', 'y'), revision: 6 }, 0)).to.equal(undefined);
    expect(cache.revision, 'the revision moves on all the same').to.equal(6);
    expect(cache.windowLength).to.equal(0);
  });

  it('lists in key order, all or one namespace, with frozen objects', () => {
    const cache = new WatchCache(undefined, namespaceOf);
    cache.replace(
      [
        [key('b', 'z'), cm('b', 'z', 3)],
        [key('a', 'y'), cm('a', 'y', 2)],
      ],
      3,
    );
    cache.apply({ type: 'PUT', key: key('a', 'x'), object: cm('a', 'x', 4), revision: 4 }, 0);
    expect(cache.list().map((o) => o.metadata.name)).to.deep.equal(['x', 'y', 'z']);
    expect(cache.list('a').map((o) => o.metadata.name)).to.deep.equal(['x', 'y']);
    expect(cache.list('c')).to.deep.equal([]);
    expect(cache.listPrefix('/registry/configmaps/b/').map((o) => o.metadata.name)).to.deep.equal(['z']);
    const y = cache.get(key('a', 'y'))!;
    expect(Object.isFrozen(y) && Object.isFrozen(y.metadata)).to.equal(true);
  });

  it('replays the events after a revision in the window, and says gone for one before it', () => {
    const cache = new WatchCache(undefined, namespaceOf);
    cache.replace([], 100);
    for (let rv = 101; rv <= 105; rv++)
      cache.apply({ type: 'PUT', key: key('a', `o${rv}`), object: cm('a', `o${rv}`, rv), revision: rv }, 0);
    expect((cache.since(102) as CacheEvent[]).map((e) => e.revision)).to.deep.equal([103, 104, 105]);
    expect((cache.since(100) as CacheEvent[]).map((e) => e.revision)).to.deep.equal([
      101, 102, 103, 104, 105,
    ]);
    expect(cache.since(105)).to.deep.equal([]);
    expect(cache.since(200), 'a revision ahead of the cache').to.deep.equal([]);
    expect(cache.since(99)).to.equal('gone');
  });

  it('keeps at most maxEvents, and drops events older than maxAgeMs beyond minEvents', () => {
    const cache = new WatchCache({ minEvents: 2, maxEvents: 4, maxAgeMs: 1000 }, namespaceOf);
    cache.replace([], 0);
    for (let rv = 1; rv <= 6; rv++)
      cache.apply({ type: 'PUT', key: key('a', 'x'), object: cm('a', 'x', rv), revision: rv }, 0);
    expect(cache.windowLength).to.equal(4);
    expect(cache.windowStart, 'the last event dropped').to.equal(2);
    expect(cache.since(1)).to.equal('gone');
    expect((cache.since(2) as CacheEvent[]).map((e) => e.revision)).to.deep.equal([3, 4, 5, 6]);
    // Much later, one more event: all but minEvents are too old.
    cache.apply({ type: 'PUT', key: key('a', 'x'), object: cm('a', 'x', 7), revision: 7 }, 5000);
    expect(cache.windowLength).to.equal(2);
    expect(cache.windowStart).to.equal(5);
  });

  it('reaches back with history only once all of it came', () => {
    const cache = new WatchCache(undefined, namespaceOf);
    cache.replace([[key('a', 'x'), cm('a', 'x', 20)]], 20);
    cache.beginHistory(10);
    const history = (rv: number): CacheEvent => ({
      type: 'MODIFIED',
      key: key('a', 'x'),
      namespace: 'a',
      object: cm('a', 'x', rv),
      previous: cm('a', 'x', rv - 1),
      revision: rv,
      at: 0,
    });
    cache.addHistory(history(15));
    expect(cache.since(12), 'not until the history is complete').to.equal('gone');
    cache.addHistory(history(20));
    cache.completeHistory();
    expect(cache.windowStart).to.equal(10);
    expect((cache.since(12) as CacheEvent[]).map((e) => e.revision)).to.deep.equal([15, 20]);
    expect(cache.get(key('a', 'x'))!.metadata.resourceVersion, 'history leaves the objects alone').to.equal(
      '20',
    );
    cache.apply({ type: 'PUT', key: key('a', 'x'), object: cm('a', 'x', 21), revision: 21 }, 0);
    expect((cache.since(15) as CacheEvent[]).map((e) => e.revision)).to.deep.equal([20, 21]);
  });
});
