/**
 * Exact `resource.Quantity` arithmetic, for sums that must not drift (quota usage): values are
 * held in nano-units as bigints, and printed in Kubernetes' canonical form. The schemas'
 * `quantityValue` is the float approximation for comparisons that tolerate it.
 */

/** How a quantity prints, decided by the suffix it was written with, as in Kubernetes. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const NANOS_PER_UNIT = 10n ** 9n;
const DECIMAL_EXPONENTS: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const DECIMAL_SUFFIXES = new Map(Object.entries(DECIMAL_EXPONENTS).map(([s, e]) => [e, s]));
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const NUMBER = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/;
const SPLIT = /^([+-]?[0-9.]+)(.*)$/;
const EXPONENT = /^[eE]([-+]?[0-9]+)$/;
// Beyond these a quantity is no resource amount but an attempt to make the server do big-number work.
const MAX_DIGITS = 64;
const MAX_EXPONENT = 64;

/**
 * An immutable amount of a resource. `parse` accepts what the API accepts; amounts finer than
 * a nano-unit round up, as Kubernetes rounds them. `toString` is Kubernetes' canonical form:
 * `500m`, `1500m`, `2k`, `1Gi`, `1536Mi`, plain integers for small counts.
 */
export class Quantity {
  static readonly ZERO = new Quantity(0n, 'DecimalSI');

  private constructor(
    /** The amount in units of 10⁻⁹. */
    readonly nanos: bigint,
    readonly format: QuantityFormat,
  ) {}

  /** The quantity `text` denotes (a JSON number is read as its decimal text), or undefined if malformed. */
  static parse(text: string | number): Quantity | undefined {
    const source = typeof text === 'number' ? String(text) : text;
    const split = SPLIT.exec(source);
    const number = split && NUMBER.exec(split[1]!);
    if (!split || !number || (!number[2] && !number[3])) return undefined;
    const [, sign, whole = '', fraction = ''] = number;
    if (whole.length + fraction.length > MAX_DIGITS) return undefined;
    const mantissa = BigInt(whole + fraction || '0');
    const suffix = split[2]!;
    let nanos: bigint;
    let format: QuantityFormat;
    const binary = BINARY_SUFFIXES.indexOf(suffix);
    if (suffix !== '' && binary > 0) {
      nanos = scaleByTen(mantissa * 1024n ** BigInt(binary), 9 - fraction.length);
      format = 'BinarySI';
    } else if (Object.hasOwn(DECIMAL_EXPONENTS, suffix)) {
      nanos = scaleByTen(mantissa, DECIMAL_EXPONENTS[suffix]! + 9 - fraction.length);
      format = 'DecimalSI';
    } else {
      const exponent = EXPONENT.exec(suffix);
      if (!exponent || Math.abs(Number(exponent[1])) > MAX_EXPONENT) return undefined;
      nanos = scaleByTen(mantissa, Number(exponent[1]) + 9 - fraction.length);
      format = 'DecimalExponent';
    }
    return new Quantity(sign === '-' ? -nanos : nanos, format);
  }

  /** A count of objects, as Kubernetes' `NewQuantity(n, DecimalSI)`. */
  static count(n: number): Quantity {
    return new Quantity(BigInt(n) * NANOS_PER_UNIT, 'DecimalSI');
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  /** The sum; it prints as this does, or as `other` when this is zero (Kubernetes' `Add`). */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.isZero() ? other.format : this.format);
  }

  /** Negative, zero or positive as this is less than, equal to or greater than `other`. */
  cmp(other: Quantity): number {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  /** The larger of the two; this one when they are equal. */
  max(other: Quantity): Quantity {
    return other.cmp(this) > 0 ? other : this;
  }

  toString(): string {
    if (this.nanos === 0n) return '0';
    const negative = this.nanos < 0n;
    return (negative ? '-' : '') + canonical(negative ? -this.nanos : this.nanos, this.format);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** `value × 10^exponent`, rounding a fraction up (away from zero) as Kubernetes does below a nano-unit. */
function scaleByTen(value: bigint, exponent: number): bigint {
  if (exponent >= 0) return value * 10n ** BigInt(exponent);
  const divisor = 10n ** BigInt(-exponent);
  return (value + divisor - 1n) / divisor;
}

/**
 * Kubernetes' CanonicalizeBytes: binary amounts print with the largest exact binary suffix unless
 * below 1Ki or fractional, where they fall back to decimal; decimal amounts print with an integer
 * mantissa and an exponent that is a multiple of three.
 */
function canonical(nanos: bigint, format: QuantityFormat): string {
  if (format === 'BinarySI' && nanos >= 1024n * NANOS_PER_UNIT && nanos % NANOS_PER_UNIT === 0n) {
    let mantissa = nanos / NANOS_PER_UNIT;
    let power = 0;
    while (power < BINARY_SUFFIXES.length - 1 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      power++;
    }
    return `${mantissa}${BINARY_SUFFIXES[power]}`;
  }
  let mantissa = nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const excess = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(excess);
  exponent -= excess;
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  return `${mantissa}${DECIMAL_SUFFIXES.get(exponent) ?? `e${exponent}`}`;
}
