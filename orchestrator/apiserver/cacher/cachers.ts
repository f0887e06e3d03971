import type { Logger } from 'pino';
import { RESOURCES, type ResourceType } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { EtcdStorage } from '../storage/etcd-storage.js';
import { Cacher, type CacherOptions } from './cacher.js';

/**
 * One Cacher per served resource, started with the apiserver, as kube-apiserver builds a cacher
 * for every resource. Also the write hints: the cached object offered to an update as a guess of
 * the current one, so that the update is one etcd transaction instead of a read and one (a stale
 * guess costs a Conflict, after which the update reads etcd).
 */
export class Cachers {
  private readonly byResource = new Map<ResourceType, Cacher>();

  constructor(storage: EtcdStorage, options: CacherOptions & { logger?: Logger } = {}) {
    for (const r of RESOURCES) this.byResource.set(r, new Cacher(r, storage, options));
  }

  for(r: ResourceType): Cacher {
    const cacher = this.byResource.get(r);
    if (!cacher) throw new RangeError(`no watch cache for ${r.resource}`);
    return cacher;
  }

  /** The cached object at `key`, if the resource's cache is ready and holds it. */
  guess(r: ResourceType, key: string): KubeObject | undefined {
    const cacher = this.byResource.get(r);
    return cacher?.ready ? cacher.get(key) : undefined;
  }

  start(): void {
    for (const c of this.byResource.values()) c.start();
  }

  /** Ends every client watch; the caches keep following etcd. */
  endWatches(): void {
    for (const c of this.byResource.values()) c.endWatches();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byResource.values()].map((c) => c.stop()));
  }
}
