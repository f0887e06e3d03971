import { ApiError } from '../errors.js';
import { objectKey } from './object-cache.js';
import type { KubeObject } from '../types.js';
import { WorkQueue, type WorkQueueOptions } from './work-queue.js';

export interface ReconcileLoopOptions {
  name: string;
  /** Workers processing keys in parallel; one key is never processed by two at once. */
  workers: number;
  reconcile: (key: string) => Promise<void>;
  /** Told about failures other than conflicts (which are routine). */
  onError?: (key: string, error: unknown) => void;
  queue?: WorkQueueOptions;
}

/**
 * The controller pattern's engine: a deduplicating queue of `namespace/name` keys drained by
 * workers that call `reconcile(key)`. A failure requeues the key with per-key back-off (409
 * Conflict included: it means "read again and retry"); a success forgets its back-off.
 */
export class ReconcileLoop {
  readonly queue: WorkQueue;

  constructor(private readonly options: ReconcileLoopOptions) {
    this.queue = new WorkQueue(options.queue);
  }

  /** Enqueues an object's key (or a key). */
  enqueue(objOrKey: KubeObject | string): void {
    this.queue.add(typeof objOrKey === 'string' ? objOrKey : objectKey(objOrKey));
  }

  /** Runs the workers until `signal` aborts; then shuts the queue down and waits for them. */
  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.queue.shutDown();
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    await Promise.all(Array.from({ length: this.options.workers }, () => this.work()));
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        await this.options.reconcile(key);
        this.queue.forget(key);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) this.options.onError?.(key, e);
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }
}
