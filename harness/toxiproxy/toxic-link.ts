import type { Socket } from 'node:net';
import type { ActiveToxic, StreamDirection } from './active-toxic.js';
import { INTERRUPTED, StreamQueue } from './stream-queue.js';
import { ToxicStage, type StagePlumbing } from './toxic-stage.js';

// A link stops reading its source while this much is queued in it, and reads again below the
// second mark: memory stays bounded and the sender feels backpressure, as with Go's channels.
const pauseAboveBytes = 4 * 1024 * 1024;
const resumeBelowBytes = 1024 * 1024;

/** What a link needs from the connection it belongs to. */
export interface LinkConnection {
  /** A reset_peer toxic fired: from now on the connection's sockets close with a RST. */
  markReset(): void;
  /** Closes a socket the link has finished writing to: FIN after pending data, or RST once marked. */
  closeSocket(socket: Socket): void;
}

export interface ToxicLinkOptions {
  readonly direction: StreamDirection;
  readonly source: Socket;
  readonly destination: Socket;
  /** The proxy's toxics for this direction when the connection was accepted. */
  readonly chain: readonly ActiveToxic[];
  readonly connection: LinkConnection;
  readonly random: () => number;
  /** Called once, when the link has finished (its destination closed) or was terminated. */
  readonly onDone: () => void;
}

/**
 * One direction of one proxied connection (Toxiproxy's ToxicLink): bytes read from `source` go
 * through the chain of toxic stages, then are written to `destination`. When the end of the stream
 * comes out of the chain, the destination is closed — fully, as Toxiproxy closes it, so the other
 * direction sees its source end too. Toxics can be added, updated and removed while data flows.
 */
export class ToxicLink {
  readonly direction: StreamDirection;
  private readonly stages: ToxicStage[];
  private readonly sink: StreamQueue;
  private readonly plumbing: StagePlumbing;
  private readonly stopWriting = new AbortController();
  // What stages write after being taken out of the chain goes nowhere.
  private readonly detached = new StreamQueue();
  private done = false;

  constructor(private readonly options: ToxicLinkOptions) {
    this.direction = options.direction;
    this.detached.end();
    this.sink = new StreamQueue(() => this.resumeSourceIfDrained());
    this.plumbing = {
      outputOf: (stage) => this.outputOf(stage),
      onTake: () => this.resumeSourceIfDrained(),
      requestReset: () => options.connection.markReset(),
      random: options.random,
    };
    this.stages = options.chain.map((toxic) => new ToxicStage(toxic, this.plumbing));
    // Toxiproxy sets SO_LINGER 0 on both sockets when a link starts with a reset_peer toxic.
    if (options.chain.some((toxic) => toxic.type === 'reset_peer')) options.connection.markReset();
  }

  start(): void {
    const { source } = this.options;
    source.on('data', (data: Buffer) => this.onSourceData(data));
    source.on('end', () => this.firstQueue().end());
    source.on('close', () => this.firstQueue().end());
    for (const stage of this.stages) stage.start();
    void this.writeToDestination();
    // Accepted sockets start paused (nothing is read before the upstream is connected).
    source.resume();
  }

  /** Appends a toxic to the end of the chain. */
  addToxic(toxic: ActiveToxic): void {
    if (this.done) return;
    const stage = new ToxicStage(toxic, this.plumbing);
    this.stages.push(stage);
    stage.start();
  }

  /** Restarts the toxic's stage with its new settings; data waiting in front of it stays. */
  async updateToxic(toxic: ActiveToxic): Promise<void> {
    await this.stages.find((s) => s.toxicName === toxic.name)?.replace(toxic);
  }

  /**
   * Takes the toxic out of the chain: interrupts it (it writes out what it held), runs its
   * cleanup, and hands what waits in front of it to the next stage, in order.
   */
  async removeToxic(name: string): Promise<void> {
    const stage = this.stages.find((s) => s.toxicName === name);
    if (!stage) return;
    if (await stage.interrupt()) stage.cleanup();
    const index = this.stages.indexOf(stage);
    if (index < 0) return;
    if (!stage.isClosed) stage.input.moveTo(this.stages[index + 1]?.input ?? this.sink);
    this.stages.splice(index, 1);
    stage.terminate();
  }

  /** Stops everything at once; the connection closes the sockets itself. */
  terminate(): void {
    if (this.done) return;
    this.stopWriting.abort();
    this.finish();
  }

  private onSourceData(data: Buffer): void {
    if (this.done) return;
    this.firstQueue().push({ data, timestamp: performance.now() });
    if (this.queuedBytes() > pauseAboveBytes) this.options.source.pause();
  }

  private resumeSourceIfDrained(): void {
    const { source } = this.options;
    if (!this.done && source.isPaused() && this.queuedBytes() < resumeBelowBytes) source.resume();
  }

  private queuedBytes(): number {
    return this.stages.reduce((sum, stage) => sum + stage.input.bytes, this.sink.bytes);
  }

  private firstQueue(): StreamQueue {
    return this.stages[0]?.input ?? this.sink;
  }

  private outputOf(stage: ToxicStage): StreamQueue {
    const index = this.stages.indexOf(stage);
    if (index < 0) return this.detached;
    return this.stages[index + 1]?.input ?? this.sink;
  }

  private async writeToDestination(): Promise<void> {
    for (;;) {
      const chunk = await this.sink.receive(this.stopWriting.signal);
      if (chunk === INTERRUPTED) return;
      if (chunk === null || !(await this.write(chunk.data))) break;
    }
    this.options.connection.closeSocket(this.options.destination);
    this.finish();
  }

  /** Writes with backpressure; false once the destination is gone. */
  private write(data: Buffer): Promise<boolean> {
    const { destination } = this.options;
    if (destination.destroyed || !destination.writable) return Promise.resolve(false);
    if (destination.write(data)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (ok: boolean) => {
        destination.off('drain', onDrain);
        destination.off('close', onClose);
        this.stopWriting.signal.removeEventListener('abort', onClose);
        resolve(ok);
      };
      const onDrain = () => settle(true);
      const onClose = () => settle(false);
      destination.on('drain', onDrain);
      destination.on('close', onClose);
      this.stopWriting.signal.addEventListener('abort', onClose);
    });
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    for (const stage of this.stages) stage.terminate();
    this.options.onDone();
  }
}
