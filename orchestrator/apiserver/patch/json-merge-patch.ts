import { cloneJson, isJsonObject, setOwn, type JsonObject } from './json-value.js';

/**
 * Applies a JSON merge patch (RFC 7386, `application/merge-patch+json`) to `target`.
 *
 * An object patch is merged key by key: `null` deletes the key, an object recurses, anything
 * else (arrays included) replaces the value. A patch that is not an object replaces the whole
 * target. Neither input is mutated and the result shares no structure with them.
 */
export function applyJsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: JsonObject = isJsonObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      setOwn(result, key, applyJsonMergePatch(result[key], value));
    }
  }
  return result;
}
