import { attributeNumbers, type ActiveToxic } from './active-toxic.js';
import { StreamQueue, type StreamChunk } from './stream-queue.js';
import { noopToxic, type ToxicStub } from './toxics/index.js';
import { sleep } from '../support/index.js';

/** What a stage needs from the link it sits in. */
export interface StagePlumbing {
  /** Where the stage's output goes now: the next stage's input, or the link's sink. */
  outputOf(stage: ToxicStage): StreamQueue;
  /** A chunk left a queue: the link may resume reading its source. */
  onTake(): void;
  /** A reset_peer toxic fired: the connection's sockets are to be closed with a RST. */
  requestReset(): void;
  random(): number;
}

/**
 * One toxic's place in one link (Toxiproxy's ToxicStub): an input queue and the toxic's `pipe`
 * running over it. The toxic can be interrupted — to update it, or before removing it — and
 * restarted; its per-connection state outlives restarts.
 */
export class ToxicStage {
  readonly input: StreamQueue;
  private readonly state: unknown;
  private closed = false;
  private running: { readonly controller: AbortController; readonly finished: Promise<void> } | undefined;

  constructor(
    private toxic: ActiveToxic,
    private readonly plumbing: StagePlumbing,
  ) {
    this.input = new StreamQueue(() => plumbing.onTake());
    this.state = toxic.definition.newState?.();
  }

  get toxicName(): string {
    return this.toxic.name;
  }

  /** Whether the stage ended its output; it never runs again. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Runs the toxic — or, if this connection escapes the toxicity roll, a noop in its place. The
   * roll is made at every start (so again after an update), as Toxiproxy does.
   */
  start(): void {
    if (this.closed || this.running) return;
    const controller = new AbortController();
    const applies = this.plumbing.random() < this.toxic.toxicity;
    const definition = applies ? this.toxic.definition : noopToxic;
    const finished = definition
      .pipe(this.stub(controller.signal), attributeNumbers(this.toxic))
      // A failing toxic ends the stream rather than the server.
      .catch(() => this.close(false));
    this.running = { controller, finished };
  }

  /** Stops the running toxic and waits until it has written out what it held; false if closed. */
  async interrupt(): Promise<boolean> {
    if (this.closed) return false;
    const running = this.running;
    this.running = undefined;
    if (running) {
      running.controller.abort();
      await running.finished;
    }
    return true;
  }

  /** Switches to an updated toxic: interrupt, then start again with it. */
  async replace(toxic: ActiveToxic): Promise<void> {
    this.toxic = toxic;
    if (await this.interrupt()) this.start();
  }

  /** The toxic's cleanup on removal (timeout closes the stream it held). */
  cleanup(): void {
    this.toxic.definition.cleanup?.(this.stub(AbortSignal.abort()));
  }

  /** Stops for good without ending the output: the link is being torn down. */
  terminate(): void {
    this.closed = true;
    this.running?.controller.abort();
    this.running = undefined;
  }

  private close(reset: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (reset) this.plumbing.requestReset();
    this.plumbing.outputOf(this).end();
  }

  private stub(signal: AbortSignal): ToxicStub {
    return {
      read: () => this.input.receive(signal),
      readWithin: (timeoutMs) => this.input.receive(signal, timeoutMs),
      write: (chunk: StreamChunk) => this.plumbing.outputOf(this).push(chunk),
      close: () => this.close(false),
      reset: () => this.close(true),
      sleep: (ms) => sleep(ms, signal),
      state: this.state,
      random: () => this.plumbing.random(),
      now: () => performance.now(),
    };
  }
}
