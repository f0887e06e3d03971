import { systemTimers, type TimerScheduler } from '../api/client/index.js';

/** How often a spread timer ticks at most: finer slots buy nothing but timer wake-ups. */
const MIN_TICK_MS = 25;

/**
 * Visits every index of [0, count) once per period, spread evenly over the period instead of all
 * at once: the period is cut into slots (one per index, or one per 25 ms when indices outnumber
 * them) and index i is visited in slot i mod slots. Many nodes renewing their Leases together
 * would otherwise hit the apiserver in bursts of `count` writes. The first pass starts at once.
 */
export class SpreadTimer {
  private readonly slots: number;
  private readonly tickMs: number;
  private handle?: unknown;
  private slot = 0;

  constructor(
    private readonly count: number,
    periodMs: number,
    private readonly visit: (index: number) => void,
    private readonly timers: TimerScheduler = systemTimers,
  ) {
    if (!(periodMs > 0)) throw new RangeError('SpreadTimer needs a positive period');
    this.slots = Math.max(1, Math.min(count, Math.floor(periodMs / MIN_TICK_MS)));
    this.tickMs = periodMs / this.slots;
  }

  start(): void {
    if (this.handle !== undefined) return;
    this.tick();
  }

  /** No visit starts after this; safe to call twice. */
  stop(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  private tick(): void {
    for (let i = this.slot; i < this.count; i += this.slots) this.visit(i);
    this.slot = (this.slot + 1) % this.slots;
    // Stopped from inside a visit: no further tick.
    if (this.handle === null) return;
    this.handle = this.timers.setTimeout(() => this.tick(), this.tickMs);
  }
}
