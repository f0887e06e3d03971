/**
 * Runs a recorder's tick at a fixed rate, one tick at a time: a tick that overruns its slot
 * delays the next one to the following slot (missed slots are skipped, never run in a burst).
 * An exception from a tick goes to `onError`, and the loop goes on. Not restartable: a loop once
 * stopped stays stopped.
 */
export class SamplingLoop {
  private running?: Promise<void>;
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.loop();
  }

  /** Ends the loop after the tick in flight, if any; safe to call twice, or before start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    let next = Date.now();
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (e) {
        this.onError(e);
      }
      next += this.intervalMs;
      const now = Date.now();
      if (next < now) next = now + this.intervalMs - ((now - next) % this.intervalMs);
      await this.sleep(next - now);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
