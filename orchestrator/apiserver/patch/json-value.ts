/**
 * Plain-JSON helpers shared by the patch engines. Patches arrive as parsed JSON, so values are
 * only ever null, booleans, numbers, strings, arrays and plain objects.
 */

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a parsed JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets an own property even when the key is `__proto__`: a plain assignment would replace the
 * object's prototype instead, letting a request body reach into objects it should not.
 */
export function setOwn(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** A deep copy of a JSON value; the copy shares nothing with the input. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneJson(v)) as T;
  if (isJsonObject(value)) {
    const copy: JsonObject = {};
    for (const [k, v] of Object.entries(value)) setOwn(copy, k, cloneJson(v));
    return copy as T;
  }
  return value;
}

/** Structural equality of JSON values: objects ignore key order, arrays do not. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}

/** Own-property test that is not fooled by inherited names such as `constructor`. */
export function hasOwn(target: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}
