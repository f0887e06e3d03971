/** A piece of a TCP stream as it travels through a chain of toxics. */
export interface StreamChunk {
  readonly data: Buffer;
  /** When the proxy read it (performance.now() ms); latency is measured from here, as Toxiproxy does. */
  timestamp: number;
}

/** `receive` ended because the toxic reading was interrupted (it is being updated or removed). */
export const INTERRUPTED: unique symbol = Symbol('interrupted');
/** `receive` ended because its timeout passed before anything arrived. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/** A chunk, `null` for the end of the stream, or why nothing was received. */
export type Received = StreamChunk | null | typeof INTERRUPTED | typeof TIMED_OUT;

/**
 * The queue in front of one toxic (or in front of the socket a link writes to): Toxiproxy's Go
 * channel between two toxic stubs. Pushing never blocks — a link bounds its memory by pausing the
 * socket it reads from instead — so a toxic can be rewired while others keep writing. One reader at
 * a time; once ended, it stays ended and swallows later pushes.
 */
export class StreamQueue {
  private readonly chunks: StreamChunk[] = [];
  private ended = false;
  private queuedBytes = 0;
  private wake: (() => void) | undefined;

  /** `onTake` runs whenever a chunk leaves the queue, so the link can resume a paused source. */
  constructor(private readonly onTake: () => void = () => {}) {}

  get bytes(): number {
    return this.queuedBytes;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  push(chunk: StreamChunk): void {
    if (this.ended) return;
    this.chunks.push(chunk);
    this.queuedBytes += chunk.data.length;
    this.wake?.();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake?.();
  }

  /** Hands everything still queued here, and the end if it was reached, to `next`, in order. */
  moveTo(next: StreamQueue): void {
    for (const chunk of this.chunks.splice(0)) next.push(chunk);
    this.queuedBytes = 0;
    if (this.ended) next.end();
    this.onTake();
  }

  /** The next chunk; `null` at the end; INTERRUPTED once `signal` aborts; TIMED_OUT after `timeoutMs`. */
  receive(signal: AbortSignal): Promise<StreamChunk | null | typeof INTERRUPTED>;
  receive(signal: AbortSignal, timeoutMs: number): Promise<Received>;
  async receive(signal: AbortSignal, timeoutMs?: number): Promise<Received> {
    for (;;) {
      // An interrupt wins over queued data: the data stays here for whoever reads next.
      if (signal.aborted) return INTERRUPTED;
      const chunk = this.chunks.shift();
      if (chunk) {
        this.queuedBytes -= chunk.data.length;
        this.onTake();
        return chunk;
      }
      if (this.ended) return null;
      if (await this.waitForChange(signal, timeoutMs)) return TIMED_OUT;
    }
  }

  /** Resolves true if the timeout passed first. */
  private waitForChange(signal: AbortSignal, timeoutMs: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (timedOut: boolean) => {
        this.wake = undefined;
        signal.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
        resolve(timedOut);
      };
      const onAbort = () => settle(false);
      this.wake = () => settle(false);
      signal.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(() => settle(true), Math.max(0, timeoutMs));
    });
  }
}
