import type { INTERRUPTED, Received, StreamChunk } from '../stream-queue.js';

/**
 * What a running toxic sees of its place in a link: Toxiproxy's ToxicStub. A toxic reads chunks
 * from its input, writes what it lets through to its output, and returns from `pipe` when `read`
 * or `sleep` report an interrupt (it is being updated or removed) — after writing out anything it
 * still holds, so no data is dropped on the floor.
 */
export interface ToxicStub {
  /** The next chunk, `null` at the end of the stream, or INTERRUPTED. */
  read(): Promise<StreamChunk | null | typeof INTERRUPTED>;
  /** As `read`, or TIMED_OUT if nothing arrives within `timeoutMs`. */
  readWithin(timeoutMs: number): Promise<Received>;
  write(chunk: StreamChunk): void;
  /** Ends the output: the link closes the socket it writes to once everything before has been written. */
  close(): void;
  /** As `close`, and the connection's sockets are closed with a TCP RST instead of a FIN. */
  reset(): void;
  /** Resolves true after `ms`, or false as soon as the toxic is interrupted. */
  sleep(ms: number): Promise<boolean>;
  /** Per-connection state from `newState`, kept across updates of the toxic. */
  readonly state: unknown;
  /** Uniform in [0, 1): the server's injected random source. */
  random(): number;
  /** Monotonic milliseconds, the clock of StreamChunk.timestamp. */
  now(): number;
}

/** The Go type of an attribute, which decides how JSON numbers are accepted and how errors read. */
export type AttributeGoType = 'int64' | 'int';

export interface AttributeSpec {
  readonly name: string;
  readonly goType: AttributeGoType;
}

/** A toxic type as registered in Toxiproxy's toxic registry. */
export interface ToxicDefinition {
  /** The `type` field of the API, e.g. `latency`. */
  readonly type: string;
  /** The Go struct's name (`LatencyToxic`), as it appears in JSON decoding errors. */
  readonly goStruct: string;
  /** The attributes in the Go struct's field order, which is their order in JSON bodies. */
  readonly attributes: readonly AttributeSpec[];
  /** Moves data from input to output until the stream ends or the toxic is interrupted. */
  pipe(stub: ToxicStub, attributes: Readonly<Record<string, number>>): Promise<void>;
  /** Runs when the toxic is removed from a live link, after it was interrupted. */
  cleanup?(stub: ToxicStub): void;
  /** Creates per-connection state for toxics that count (limit_data). */
  newState?(): unknown;
}

/** Declares a toxic with its attribute names checked against what `pipe` reads. */
export function defineToxic<const Name extends string>(definition: {
  type: string;
  goStruct: string;
  attributes: readonly { name: Name; goType: AttributeGoType }[];
  pipe(stub: ToxicStub, attributes: Readonly<Record<Name, number>>): Promise<void>;
  cleanup?(stub: ToxicStub): void;
  newState?(): unknown;
}): ToxicDefinition {
  return definition as ToxicDefinition;
}
