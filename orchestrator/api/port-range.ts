/**
 * A range of TCP ports, as kube-apiserver's `--service-node-port-range` takes it. Shared by the
 * apiserver (which hands node ports out of it) and the harness (which publishes it on every
 * docker worker), so both read the same text the same way.
 */
export interface PortRange {
  /** The first port of the range. */
  readonly min: number;
  /** The last port of the range, included. */
  readonly max: number;
}

/** kube-apiserver's default `--service-node-port-range`. */
export const DEFAULT_NODE_PORT_RANGE: PortRange = Object.freeze({ min: 30000, max: 32767 });

/**
 * `30000-32767`, `30000+2767` (the first port and how many follow it) or a single port, as
 * upstream's `ParsePortRange` reads them; a RangeError saying why not otherwise.
 */
export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})(?:([-+])(\d{1,5}))?$/.exec(text.trim());
  const shape = `"${text}" is not a port range: MIN-MAX (e.g. 30000-32767), MIN+COUNT or one port`;
  if (!m) throw new RangeError(shape);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[2] === '-' ? Number(m[3]) : min + Number(m[3]);
  if (min < 1 || max > 65535) throw new RangeError(`"${text}": ports go from 1 to 65535`);
  if (max < min) throw new RangeError(`"${text}": the last port comes before the first`);
  return { min, max };
}

/** `30000-32767`, the way kube-apiserver's messages print a range. */
export function formatPortRange(range: PortRange): string {
  return `${range.min}-${range.max}`;
}

/** How many ports the range holds. */
export function portRangeSize(range: PortRange): number {
  return range.max - range.min + 1;
}

/** Whether `port` is in the range. */
export function inPortRange(range: PortRange, port: number): boolean {
  return port >= range.min && port <= range.max;
}
