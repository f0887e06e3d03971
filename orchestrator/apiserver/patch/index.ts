/**
 * The patch engines of the apiserver: pure functions from (live object, request body) to the
 * new object. Storage, admission and validation stay with the caller.
 */
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { isJsonObject } from './json-value.js';
import { applyJsonMergePatch } from './json-merge-patch.js';
import { applyJsonPatch } from './json-patch.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

export { applyJsonMergePatch } from './json-merge-patch.js';
export { applyJsonPatch, type JsonPatchOp } from './json-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export { serverSideApply, recordUpdateManager, type ApplyOptions } from './server-side-apply.js';
export {
  mergeKeys,
  fieldTypes,
  lookupField,
  rootTypeOf,
  type PatchMeta,
  type FieldSchema,
} from './merge-keys.js';

/** The `Content-Type`s of `PATCH` that `applyPatch` understands. */
export const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

/**
 * Applies the body of a `PATCH` request to `live`, an object of `kind`, choosing the engine by
 * `contentType` (parameters such as `; charset=utf-8` are ignored): JSON patch, JSON merge
 * patch or strategic merge patch. Server-side apply (`application/apply-patch+yaml`) needs a
 * field manager and goes through `serverSideApply` instead.
 *
 * Throws `UnsupportedMediaType` (415) for any other type, `BadRequest`/`Invalid` from the
 * engines, and `BadRequest` when the patch turns the object into something that is not an
 * object. The live object is not mutated.
 */
export function applyPatch(
  contentType: string,
  live: KubeObject,
  patchBody: unknown,
  kind: string,
): KubeObject {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  let result: unknown;
  switch (mediaType) {
    case 'application/json-patch+json':
      result = applyJsonPatch(live, patchBody);
      break;
    case 'application/merge-patch+json':
      result = applyJsonMergePatch(live, patchBody);
      break;
    case 'application/strategic-merge-patch+json':
      result = applyStrategicMergePatch(live, patchBody, kind);
      break;
    default:
      throw errors.unsupportedMediaType(contentType);
  }
  if (!isJsonObject(result)) {
    throw errors.badRequest(
      `the patched object must be a JSON object, but the patch made it ${typeName(result)}`,
    );
  }
  return result as KubeObject;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
