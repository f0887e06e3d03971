import { expect } from 'chai';
import type { KubeObject, Pod } from '../types.js';
import { ObjectCache, byNamespace, byNodeName, byOwnerUid, objectKey } from './object-cache.js';

const pod = (namespace: string, name: string, nodeName?: string, owners: string[] = []): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    namespace,
    name,
    resourceVersion: '1',
    ownerReferences: owners.map((uid) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid })),
  },
  spec: { containers: [{ name: 'c', image: 'i' }], ...(nodeName ? { nodeName } : {}) },
});

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();

describe('ObjectCache', () => {
  let cache: ObjectCache<Pod>;

  beforeEach(() => {
    cache = new ObjectCache<Pod>({ namespace: byNamespace, nodeName: byNodeName, owner: byOwnerUid });
  });

  it('keys namespaced objects by namespace/name and cluster-scoped ones by name', () => {
    expect(objectKey(pod('ns', 'a'))).to.equal('ns/a');
    expect(objectKey({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } })).to.equal('n1');
  });

  it('stores, replaces and deletes by key, returning the previous object', () => {
    const a1 = pod('ns', 'a');
    expect(cache.upsert(a1)).to.equal(undefined);
    const a2 = pod('ns', 'a', 'n1');
    expect(cache.upsert(a2)).to.equal(a1);
    expect(cache.get('ns/a')).to.equal(a2);
    expect(cache.keys()).to.deep.equal(['ns/a']);
    expect(cache.size).to.equal(1);
    expect(cache.delete('ns/a')).to.equal(a2);
    expect(cache.delete('ns/a')).to.equal(undefined);
    expect(cache.list()).to.deep.equal([]);
  });

  it('finds objects by namespace, node and owner', () => {
    cache.upsert(pod('ns1', 'a', 'n1', ['rs1']));
    cache.upsert(pod('ns1', 'b', 'n2', ['rs1', 'rs2']));
    cache.upsert(pod('ns2', 'c'));
    expect(names(cache.byIndex('namespace', 'ns1'))).to.deep.equal(['a', 'b']);
    expect(names(cache.byIndex('nodeName', 'n1'))).to.deep.equal(['a']);
    expect(names(cache.byIndex('owner', 'rs1'))).to.deep.equal(['a', 'b']);
    expect(names(cache.byIndex('owner', 'rs2'))).to.deep.equal(['b']);
    expect(cache.byIndex('nodeName', 'n3')).to.deep.equal([]);
  });

  it('keeps indexes current as objects change and go', () => {
    cache.upsert(pod('ns', 'a', 'n1'));
    cache.upsert(pod('ns', 'a', 'n2'));
    expect(cache.byIndex('nodeName', 'n1')).to.deep.equal([]);
    expect(names(cache.byIndex('nodeName', 'n2'))).to.deep.equal(['a']);
    cache.delete('ns/a');
    expect(cache.byIndex('nodeName', 'n2')).to.deep.equal([]);
    expect(cache.byIndex('namespace', 'ns')).to.deep.equal([]);
  });

  it('replaces its whole content', () => {
    cache.upsert(pod('ns', 'a', 'n1'));
    cache.upsert(pod('ns', 'b', 'n1'));
    cache.replace([pod('ns', 'b', 'n2'), pod('ns', 'c', 'n2')]);
    expect(cache.keys().sort()).to.deep.equal(['ns/b', 'ns/c']);
    expect(cache.byIndex('nodeName', 'n1')).to.deep.equal([]);
    expect(names(cache.byIndex('nodeName', 'n2'))).to.deep.equal(['b', 'c']);
  });

  it('refuses an index it was not given', () => {
    expect(() => cache.byIndex('nope', 'x')).to.throw(RangeError, /nope/);
  });

  it('freezes stored objects all the way down', () => {
    cache.upsert(pod('ns', 'a', 'n1', ['rs1']));
    const cached = cache.get('ns/a')!;
    expect(Object.isFrozen(cached)).to.equal(true);
    // Reflect.set reports what an assignment in strict-mode code would throw on.
    expect(Reflect.set(cached.metadata, 'name', 'b')).to.equal(false);
    expect(Reflect.set(cached.spec.containers, 1, { name: 'x' })).to.equal(false);
    expect(Reflect.set(cached.metadata.ownerReferences![0]!, 'uid', 'other')).to.equal(false);
    expect(cached.metadata.name).to.equal('a');
    expect(cache.byIndex('owner', 'rs1')).to.have.length(1);
  });

  it('leaves the cache unchanged when an index function throws', () => {
    const strict = new ObjectCache<Pod>({
      nodeName: (p) => {
        if (!p.spec.nodeName) throw new TypeError('unbound');
        return [p.spec.nodeName];
      },
    });
    strict.upsert(pod('ns', 'a', 'n1'));
    expect(() => strict.upsert(pod('ns', 'a'))).to.throw(TypeError);
    expect(strict.get('ns/a')!.spec.nodeName).to.equal('n1');
    expect(strict.byIndex('nodeName', 'n1')).to.have.length(1);
  });
});
