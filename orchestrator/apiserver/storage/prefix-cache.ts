import type { KubeObject } from '../../api/types.js';
import type { EtcdStorage, StorageWatch } from './etcd-storage.js';

const RESYNC_DELAY_MS = 250;

/**
 * Every object under one etcd prefix, held in memory and kept current by a watch (list, then
 * watch from the list's revision, relist when the watch ends), like the informers that back
 * kube-apiserver's admission and authorization. `synced` is false until the first list and
 * while re-establishing after losing etcd; callers then read etcd directly.
 */
export class PrefixCache {
  private readonly objects = new Map<string, KubeObject>();
  private watch?: StorageWatch;
  private retry?: NodeJS.Timeout;
  private stopped = false;
  synced = false;

  constructor(
    private readonly storage: EtcdStorage,
    readonly prefix: string,
  ) {}

  /** Starts syncing in the background; never rejects. */
  start(): void {
    void this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.watch?.stop();
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** Objects whose key starts with `keyPrefix` (which must lie under this cache's prefix). */
  list(keyPrefix = this.prefix): KubeObject[] {
    return [...this.objects.entries()].filter(([k]) => k.startsWith(keyPrefix)).map(([, v]) => v);
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.watch?.stop();
      const page = await this.storage.list(this.prefix);
      this.objects.clear();
      for (const [i, obj] of page.items.entries()) this.objects.set(page.keys[i]!, obj);
      this.watch = await this.storage.watch(this.prefix, page.revision, {
        onEvent: (ev) => {
          if (ev.type === 'DELETED') this.objects.delete(ev.key);
          else this.objects.set(ev.key, ev.object);
        },
        onEnd: () => this.resync(),
      });
      this.synced = true;
    } catch {
      this.resync();
    }
  }

  private resync(): void {
    this.synced = false;
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.sync();
    }, RESYNC_DELAY_MS);
  }
}
