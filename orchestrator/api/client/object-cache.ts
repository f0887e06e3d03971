import type { KubeObject, Pod } from '../types.js';

/** Maps an object to the values it is found under in one index. */
export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

/**
 * Read access to cached objects: what reconcilers are given, so their tests can hand them a
 * preloaded ObjectCache instead of an informer. Objects are frozen; copy before changing one.
 */
export interface CacheReader<T extends KubeObject = KubeObject> {
  /** The object stored under `namespace/name` (`name` when cluster-scoped). */
  get(key: string): T | undefined;
  list(): T[];
  keys(): string[];
  /** The objects an index maps `value` to; RangeError for an index the cache was not given. */
  byIndex(index: string, value: string): T[];
}

/** The cache key of an object: `namespace/name`, or `name` for a cluster-scoped one. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name = '' } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** Index by namespace ('' for cluster-scoped objects), as client-go's MetaNamespaceIndexFunc. */
export const byNamespace: IndexFunc = (obj) => [obj.metadata.namespace ?? ''];

/** Index pods by the node they are bound to; unbound pods are in no entry. */
export const byNodeName: IndexFunc = (obj) => {
  const node = (obj as Pod).spec?.nodeName;
  return node ? [node] : [];
};

/** Index by the uid of each owner, so a child's event can be traced to its owners. */
export const byOwnerUid: IndexFunc = (obj) => (obj.metadata.ownerReferences ?? []).map((ref) => ref.uid);

/**
 * The informer's store, as client-go's thread-safe indexer: objects by key, plus named indexes
 * kept up to date on every change. The cache takes ownership of what it is given and deep-freezes
 * it, so no consumer can change an object behind the cache's back.
 */
export class ObjectCache<T extends KubeObject = KubeObject> implements CacheReader<T> {
  private readonly items = new Map<string, T>();
  /** index name → indexed value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /** key → index name → the values the object was indexed under, to undo on change. */
  private readonly indexed = new Map<string, Map<string, string[]>>();

  constructor(private readonly indexers: Readonly<Record<string, IndexFunc<T>>> = {}) {
    for (const name of Object.keys(indexers)) this.indices.set(name, new Map());
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(index: string, value: string): T[] {
    const values = this.indices.get(index);
    if (!values) throw new RangeError(`no index named "${index}"`);
    return [...(values.get(value) ?? [])].map((key) => this.items.get(key)!);
  }

  /**
   * Stores `obj` under its key, replacing and returning what was there. If an index function
   * throws, the cache is left as it was and the error propagates.
   */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const values = this.indexValues(obj);
    deepFreeze(obj);
    const previous = this.items.get(key);
    this.unindex(key);
    this.items.set(key, obj);
    this.indexed.set(key, values);
    for (const [name, vals] of values) {
      const index = this.indices.get(name)!;
      for (const v of vals) {
        let keys = index.get(v);
        if (!keys) index.set(v, (keys = new Set()));
        keys.add(key);
      }
    }
    return previous;
  }

  /** Removes the object under `key`, returning it. */
  delete(key: string): T | undefined {
    const previous = this.items.get(key);
    if (!previous) return undefined;
    this.unindex(key);
    this.items.delete(key);
    return previous;
  }

  /** Replaces the whole content with `objects`. */
  replace(objects: T[]): void {
    for (const key of this.keys()) this.delete(key);
    for (const obj of objects) this.upsert(obj);
  }

  private indexValues(obj: T): Map<string, string[]> {
    const values = new Map<string, string[]>();
    for (const [name, fn] of Object.entries(this.indexers)) values.set(name, [...new Set(fn(obj))]);
    return values;
  }

  private unindex(key: string): void {
    const values = this.indexed.get(key);
    if (!values) return;
    this.indexed.delete(key);
    for (const [name, vals] of values) {
      const index = this.indices.get(name)!;
      for (const v of vals) {
        const keys = index.get(v);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(v);
      }
    }
  }
}

/** Freezes `value` and everything reachable from it. */
export function deepFreeze(value: unknown, seen = new WeakSet<object>()): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child, seen);
}
