/**
 * Writes JSON the way Go's encoding/json does, byte for byte where it matters to a client that
 * compares bodies: `<`, `>`, `&`, U+2028 and U+2029 are escaped, float32 values are printed with
 * the fewest digits that identify them (0.1, not 0.10000000149011612), int64 values exactly, and
 * object members in the order given (Go writes struct fields in declaration order and map keys
 * sorted; JS objects would move integer-like keys first).
 */

/** A JSON string literal as Go writes it. */
export function marshalString(value: string): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A float32 (already rounded with Math.fround) as Go writes it. */
export function marshalFloat32(value: number): string {
  if (value === 0) return '0';
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(value.toPrecision(digits));
    // JS prints the same exponent forms Go does (1e-7, 1e+21) at the same thresholds.
    if (Math.fround(shortest) === value) return String(shortest);
  }
  return String(value);
}

export function marshalInteger(value: bigint): string {
  return value.toString();
}

/** An object from members whose values are already JSON. */
export function marshalObject(members: readonly (readonly [string, string])[]): string {
  return `{${members.map(([key, value]) => `${marshalString(key)}:${value}`).join(',')}}`;
}

/** An array from items that are already JSON. */
export function marshalArray(items: readonly string[]): string {
  return `[${items.join(',')}]`;
}
