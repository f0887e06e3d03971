import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const CHUNK = 1 << 20;

/**
 * Reads the lines of a file another process is still appending to (k6's `--out json`), like
 * `tail -f`: polls for new bytes and hands over each complete line; `stop()` reads what is left
 * and hands over a last line even without its newline. The file may not exist yet at first.
 */
export class NdjsonFollower {
  private offset = 0;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly path: string,
    private readonly onLine: (line: string) => void,
    private readonly intervalMs = 200,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    return this;
  }

  /** Reads to the end of the file; rethrows what went wrong while following, if anything. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.poll();
    await this.reading;
    const last = this.partial + this.decoder.end();
    this.partial = '';
    if (last.trim() !== '') this.deliver(last);
    if (this.failure !== undefined) throw this.failure;
  }

  private poll(): void {
    this.reading = this.reading.then(() => this.readNew()).catch((e: unknown) => void (this.failure ??= e));
  }

  private async readNew(): Promise<void> {
    let file: FileHandle;
    try {
      file = await open(this.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    try {
      const buffer = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, CHUNK, this.offset);
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        const lines = (this.partial + this.decoder.write(buffer.subarray(0, bytesRead))).split('\n');
        this.partial = lines.pop()!;
        for (const line of lines) this.deliver(line);
      }
    } finally {
      await file.close();
    }
  }

  private deliver(line: string): void {
    try {
      this.onLine(line);
    } catch (e) {
      this.failure ??= e;
    }
  }
}
