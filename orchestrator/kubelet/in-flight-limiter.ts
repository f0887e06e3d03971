/**
 * At most `limit` calls running at once; the rest wait in order. Keeps an agent that writes for
 * many nodes from opening a request per node at the same moment: when the apiserver slows down,
 * the writes queue here (and renewals that are still queued when their next turn comes are
 * skipped by the caller) instead of piling up on the server.
 */
export class InFlightLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('InFlightLimiter needs a limit of at least 1');
  }

  /** Calls running now. */
  get active(): number {
    return this.running;
  }

  /** Calls waiting for a free place. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await call();
    } finally {
      // The place passes straight to the next waiter, so `running` never overshoots the limit.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
