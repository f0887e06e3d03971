import type { Logger } from 'pino';
import type { EtcdStorage } from './etcd-storage.js';

/**
 * Periodic etcd compaction, as kube-apiserver's --etcd-compaction-interval: at each tick it
 * compacts to the revision it saw at the tick before, so every revision stays readable for at
 * least one interval; after that a watch or list from it gets 410 Gone and clients relist.
 * Several apiservers may compact the same etcd: compacting to a revision another one compacted
 * already is harmless, so that error is ignored.
 */
export class Compactor {
  private timer?: NodeJS.Timeout;
  private seenAtLastTick?: number;

  constructor(
    private readonly storage: EtcdStorage,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Starts ticking; an interval of 0 disables compaction. */
  start(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    try {
      const current = await this.storage.currentRevision();
      const target = this.seenAtLastTick;
      this.seenAtLastTick = current;
      if (target === undefined) return;
      await this.storage.compact(target);
      this.log.debug({ revision: target }, 'compacted etcd');
    } catch (e) {
      const message = (e as Error).message;
      if (!/compacted/i.test(message)) this.log.warn({ err: message }, 'etcd compaction failed');
    }
  }
}
