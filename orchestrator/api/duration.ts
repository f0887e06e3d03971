/** Go-style durations as Kubernetes flags take them: `300ms`, `2s`, `1m30s`, `1h`. */
const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds in `text`; throws a RangeError naming the input when it is not a duration. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    throw new RangeError(`invalid duration "${text}": use a number with a unit, e.g. 500ms, 2s, 1m30s`);
  }
  return total;
}

const NANOS_PER_MS = 1e6;
const NANOS_PER_SECOND = 1e9;
const NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND;
const NANOS_PER_HOUR = 60 * NANOS_PER_MINUTE;

/**
 * `ms` as Go's time.Duration prints it (how a metav1.Duration reads in JSON): `0s`, `500ms`,
 * `1.002s`, `1m30s`, `1h0m0s`; to the nanosecond.
 */
export function formatDuration(ms: number): string {
  let ns = Math.round(Math.abs(ms) * NANOS_PER_MS);
  if (ns === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  if (ns < NANOS_PER_SECOND) {
    const [unit, size] = ns < 1e3 ? ['ns', 1] : ns < NANOS_PER_MS ? ['µs', 1e3] : ['ms', NANOS_PER_MS];
    return `${sign}${withFraction(ns, size)}${unit}`;
  }
  const hours = Math.floor(ns / NANOS_PER_HOUR);
  ns -= hours * NANOS_PER_HOUR;
  const minutes = Math.floor(ns / NANOS_PER_MINUTE);
  ns -= minutes * NANOS_PER_MINUTE;
  const larger = hours ? `${hours}h${minutes}m` : minutes ? `${minutes}m` : '';
  return `${sign}${larger}${withFraction(ns, NANOS_PER_SECOND)}s`;
}

/** `value / unit` in decimal, without trailing zeros: 1002000000 / 1e9 → `1.002`. */
function withFraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const fraction = value - whole * unit;
  if (fraction === 0) return `${whole}`;
  const digits = String(unit).length - 1;
  return `${whole}.${String(fraction).padStart(digits, '0').replace(/0+$/, '')}`;
}
