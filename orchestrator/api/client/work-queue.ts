import { systemTimers, type TimerScheduler } from './timer-scheduler.js';

export interface WorkQueueOptions {
  /** First back-off of `addRateLimited`; each further failure doubles it. Default 5 ms. */
  baseDelayMs?: number;
  /** Ceiling of the back-off. Default 30 s. */
  maxDelayMs?: number;
  /** Default: Node's timers. */
  timers?: TimerScheduler;
}

interface DelayedAdd {
  readyAt: number;
  handle: unknown;
}

/**
 * client-go's rate-limited work queue of `namespace/name` keys, with its guarantees:
 *
 * - FIFO, and a key waiting in the queue is queued once however often it is added;
 * - a key handed out by `get()` is not handed out again until `done(key)`; adding it meanwhile
 *   marks it dirty, and `done` queues it again;
 * - `addAfter` delays an add (of several delays for one key, the earliest wins); `addRateLimited`
 *   delays it by a per-key exponential back-off (base, 2×base, 4×base … up to the maximum) until
 *   `forget(key)` resets it;
 * - after `shutDown()` adds are ignored, keys already queued are still handed out, and then
 *   `get()` resolves undefined, so workers drain and exit.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly delayed = new Map<string, DelayedAdd>();
  private readonly failures = new Map<string, number>();
  private readonly timers: TimerScheduler;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private stopping = false;

  constructor(options: WorkQueueOptions = {}) {
    this.timers = options.timers ?? systemTimers;
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    if (!(this.baseDelayMs > 0) || !(this.maxDelayMs >= this.baseDelayMs))
      throw new RangeError('WorkQueue needs 0 < baseDelayMs <= maxDelayMs');
  }

  /** Keys waiting to be handed out (not those being processed or delayed). */
  get len(): number {
    return this.queue.length;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** Queues `key` unless it is already waiting; a key being processed is queued again on `done`. */
  add(key: string): void {
    if (this.stopping || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.dispatch();
  }

  /** Adds `key` once `ms` have passed; an earlier pending delay of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopping) return;
    if (ms <= 0) return this.add(key);
    const readyAt = this.timers.now() + ms;
    const pending = this.delayed.get(key);
    if (pending) {
      if (pending.readyAt <= readyAt) return;
      this.timers.clearTimeout(pending.handle);
    }
    const handle = this.timers.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { readyAt, handle });
  }

  /** Adds `key` after its back-off, and lengthens the back-off for the next failure. */
  addRateLimited(key: string): void {
    if (this.stopping) return;
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.addAfter(key, Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** failures));
  }

  /** Resets the back-off of `key`: call it once the key was processed successfully. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times `key` was rate-limited since it was last forgotten. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * The next key, once one is queued; the caller owns it until `done(key)`. Undefined once the
   * queue is shut down and drained.
   */
  get(): Promise<string | undefined> {
    if (this.queue.length > 0) return Promise.resolve(this.take());
    if (this.stopping) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.dispatch();
    }
  }

  /** Stops accepting keys and cancels delayed adds; waiting `get()`s resolve undefined. Idempotent. */
  shutDown(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const { handle } of this.delayed.values()) this.timers.clearTimeout(handle);
    this.delayed.clear();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
  }

  private take(): string {
    const key = this.queue.shift()!;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.length > 0) this.waiters.shift()!(this.take());
  }
}
