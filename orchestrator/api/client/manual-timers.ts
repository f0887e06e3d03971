import type { TimerScheduler } from './timer-scheduler.js';

interface PendingTimer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A TimerScheduler on virtual time for unit tests: nothing fires until `advance` moves time on.
 * Timers fire in due-time order (ties in the order they were set), each with `now()` at its due
 * time; timers set by a firing callback fire in the same `advance` if they fall due within it.
 */
export class ManualTimers implements TimerScheduler {
  private time = 0;
  private seq = 0;
  private readonly pending = new Map<number, PendingTimer>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.time + Math.max(0, ms), seq: id, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Timers set and not yet fired or cleared. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Moves time on by `ms`, firing every timer that falls due. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let next: [number, PendingTimer] | undefined;
      for (const entry of this.pending) {
        if (entry[1].at > until) continue;
        if (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq))
          next = entry;
      }
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
    }
    this.time = until;
  }
}
