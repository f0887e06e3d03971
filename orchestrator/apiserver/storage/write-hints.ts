import type { ResourceType } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { EtcdStorage } from './etcd-storage.js';
import { PrefixCache } from './prefix-cache.js';

/**
 * The last known state of objects, from one watch per resource, offered to writes as a guess
 * of the current object so an update is one etcd transaction instead of a read and a
 * transaction (kube-apiserver does the same with its watch cache). A stale guess only costs a
 * Conflict, after which the write reads etcd. A resource's cache starts on its first write.
 */
export class WriteHints {
  private readonly caches = new Map<string, PrefixCache>();

  constructor(private readonly storage: EtcdStorage) {}

  /** The cached object at `key`, if the resource's cache is in sync and holds it. */
  guess(r: ResourceType, key: string): KubeObject | undefined {
    let cache = this.caches.get(r.resource);
    if (!cache) {
      cache = new PrefixCache(this.storage, `/registry/${r.resource}/`);
      this.caches.set(r.resource, cache);
      cache.start();
      return undefined;
    }
    return cache.synced ? cache.get(key) : undefined;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.caches.values()].map((c) => c.stop()));
  }
}
