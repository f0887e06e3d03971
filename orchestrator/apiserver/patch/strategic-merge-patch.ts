import { errors } from '../../api/errors.js';
import { cloneJson, hasOwn, isJsonObject, setOwn, type JsonObject } from './json-value.js';
import { lookupField, rootTypeOf } from './merge-keys.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/**
 * Applies a Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), as
 * kubectl 1.32 sends for `kubectl patch` and client-side `kubectl apply`, to an object of `kind`.
 *
 * Follows k8s.io/apimachinery/pkg/util/strategicpatch (`StrategicMergeMapPatch`): maps merge
 * key by key and `null` deletes a key; lists tagged `merge` in `merge-keys.ts` are merged by
 * their merge key (objects) or by value (primitives), all other lists are replaced. Supported
 * directives: `$patch: replace | delete | merge` in maps and list elements,
 * `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and `$retainKeys`. No directive
 * survives into the result. Element order: items named by the patch (or by `$setElementOrder`)
 * come in that order, items only in the live list keep their relative position among them.
 *
 * Differences from upstream, where upstream would store garbage or fail for no gain:
 * `$patch: merge` is accepted and means the default merge; a directive inside a value that is
 * new to the object is still interpreted; a `$deleteFromPrimitiveList` for an absent list
 * deletes nothing. A malformed patch is an `ApiError` `BadRequest`. Inputs are not mutated.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, kind: string): unknown {
  if (!isJsonObject(patch)) {
    throw errors.badRequest(`a strategic merge patch must be a JSON object, not ${describe(patch)}`);
  }
  const original = isJsonObject(target) ? cloneJson(target) : {};
  return stripDirectives(mergeMap(original, cloneJson(patch), rootTypeOf(kind), ''));
}

type Kind = 'map' | 'scalar';

/**
 * Merges `patch` into `original`. Like upstream it consumes both arguments (they are private
 * copies here), which keeps the order-directive processing simple.
 */
function mergeMap(
  original: JsonObject,
  patch: JsonObject,
  type: string | undefined,
  path: string,
): JsonObject {
  if (hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    delete patch[DIRECTIVE];
    if (directive === 'replace') return patch;
    if (directive === 'delete') return {};
    if (directive !== 'merge') {
      throw badPatch(`unknown patch type ${JSON.stringify(directive)} in map at ${at(path)}`);
    }
  }
  applyRetainKeys(original, patch, path);
  applySetElementOrder(original, patch, type, path);

  for (const patchKey of Object.keys(patch)) {
    const patchValue = patch[patchKey];
    const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList ? listKey(patchKey, DELETE_FROM_PRIMITIVE_LIST, path) : patchKey;
    const fieldPath = `${path}.${key}`;
    if (patchValue === null) {
      // A null for a key the object does not have is dropped, as upstream's IgnoreUnmatchedNulls.
      delete original[key];
      continue;
    }
    const { type: fieldType, meta } = lookupField(type, key);
    const strategy = meta?.patchStrategy;
    const mergeKey = meta?.patchMergeKey ?? '';
    if (isDeleteList) {
      if (!Array.isArray(patchValue)) throw badPatch(`${patchKey} at ${at(path)} must be a list`);
      const current = original[key];
      if (Array.isArray(current)) {
        if (sliceKind(fieldPath, current, patchValue) !== 'scalar') {
          throw badPatch(`${patchKey} at ${at(path)} applies only to lists of primitives`);
        }
        setOwn(
          original,
          key,
          current.filter((v) => !patchValue.includes(v)),
        );
      }
      continue;
    }
    // A key holding null counts as absent, so that directives in the new value are still obeyed.
    const current = hasOwn(original, key) ? original[key] : undefined;
    const absent = current === undefined || current === null;
    if (isJsonObject(patchValue) && (absent || isJsonObject(current))) {
      const base = isJsonObject(current) ? current : {};
      setOwn(
        original,
        key,
        strategy === 'replace' ? patchValue : mergeMap(base, patchValue, fieldType, fieldPath),
      );
    } else if (Array.isArray(patchValue) && (absent || Array.isArray(current)) && strategy === 'merge') {
      const base = Array.isArray(current) ? current : [];
      setOwn(original, key, mergeSlice(base, patchValue, fieldType, mergeKey, fieldPath));
    } else {
      setOwn(original, key, patchValue);
    }
  }
  return original;
}

/** `$retainKeys: [...]`: the keys of `original` not listed are cleared, and the patch may set only listed keys. */
function applyRetainKeys(original: JsonObject, patch: JsonObject, path: string): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badPatch(`invalid patch format of retainKeys at ${at(path)}: not a list`);
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) {
      throw badPatch(`invalid patch format of retainKeys at ${at(path)}: "${k}" is not retained`);
    }
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<list>`: merges `<list>` (if the patch has it) and orders the result, then
 * removes both from the patch so that the main loop does not see them again.
 */
function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  type: string | undefined,
  path: string,
): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    const key = listKey(directiveKey, SET_ELEMENT_ORDER, path);
    const fieldPath = `${path}.${key}`;
    if (!Array.isArray(order)) throw badPatch(`${directiveKey} at ${at(path)} must be a list`);
    const { type: fieldType, meta } = lookupField(type, key);
    // Only merged lists have an order to keep; for any other list the patched value stands.
    if (meta?.patchStrategy !== 'merge') continue;
    const mergeKey = meta.patchMergeKey ?? '';
    const originalList = original[key];
    const patchList = patch[key];
    // A null list in the patch deletes the list; the main loop does that.
    if (patchList === null) continue;
    if (originalList !== undefined && originalList !== null && !Array.isArray(originalList)) continue;
    if (patchList !== undefined && !Array.isArray(patchList)) {
      throw badPatch(`${key} at ${at(path)} must be a list to go with ${directiveKey}`);
    }
    const live = Array.isArray(originalList) ? originalList : undefined;
    if (live === undefined && patchList === undefined) continue;
    validateAgainstOrder(patchList ?? [], order, mergeKey, fieldPath);

    const { merged, liveView } =
      patchList === undefined
        ? { merged: live as unknown[], liveView: live as unknown[] }
        : mergeSliceWithView(live ?? [], patchList, fieldType, mergeKey, fieldPath);
    const kind = sliceKind(fieldPath, live ?? [], patchList ?? []);
    const [inOrder, serverOnly] = partition(merged, order, mergeKey, kind, fieldPath);
    setOwn(
      original,
      key,
      normalizeElementOrder(inOrder, serverOnly, order, liveView, mergeKey, kind, fieldPath),
    );
    delete patch[key];
  }
}

/** The patch list must name its elements in the order `$setElementOrder` gives (deletions aside). */
function validateAgainstOrder(patchList: unknown[], order: unknown[], mergeKey: string, path: string): void {
  if (patchList.length === 0 || order.length === 0) return;
  const items = mergeKey
    ? patchList.filter((v) => !(isJsonObject(v) && v[DIRECTIVE] === 'delete'))
    : patchList;
  let p = 0;
  for (let o = 0; p < items.length && o < order.length; o++) {
    if (isJsonObject(items[p]) && hasOwn(items[p] as JsonObject, DIRECTIVE)) {
      p++;
      o--;
      continue;
    }
    if (sameElement(items[p], order[o], mergeKey, path)) p++;
  }
  if (p < items.length) {
    throw badPatch(
      `the order in the patch list ${JSON.stringify(patchList)} at ${at(path)} doesn't match the $setElementOrder list ${JSON.stringify(order)}`,
    );
  }
}

/** Merges a list tagged `merge`: by `mergeKey` for objects, by value for primitives. */
function mergeSlice(
  original: unknown[],
  patch: unknown[],
  elemType: string | undefined,
  mergeKey: string,
  path: string,
): unknown[] {
  return mergeSliceWithView(original, patch, elemType, mergeKey, path).merged;
}

/**
 * `mergeSlice`, also returning `liveView`: what upstream's live list reads as afterwards.
 * Upstream edits the live list's backing array in place (a deletion shifts the tail left, a new
 * element is appended into the freed slot), and `$setElementOrder` then interleaves server-only
 * elements by that view rather than by the original list; reproducing it keeps the order
 * kubectl users get from kube-apiserver.
 */
function mergeSliceWithView(
  original: unknown[],
  patch: unknown[],
  elemType: string | undefined,
  mergeKey: string,
  path: string,
): { merged: unknown[]; liveView: unknown[] } {
  if (original.length === 0 && patch.length === 0) return { merged: original, liveView: original };
  const kind = sliceKind(path, original, patch);
  if (kind === 'scalar') {
    const merged: unknown[] = [];
    for (const v of [...original, ...patch]) if (!merged.includes(v)) merged.push(v);
    const [inPatch, serverOnly] = partition(merged, patch, mergeKey, kind, path);
    const ordered = normalizeElementOrder(inPatch, serverOnly, patch, original, mergeKey, kind, path);
    return { merged: ordered, liveView: original };
  }
  if (!mergeKey) throw badPatch(`cannot merge the list of objects at ${at(path)}: it has no merge key`);
  const { server, plain, replace, deleted } = applyElementDirectives(original, patch, mergeKey, path);
  const patchItems = replace ? [] : plain;
  const merged = [...server];
  for (const item of patchItems) {
    const value = mergeKeyOf(item, mergeKey, path);
    const i = merged.findIndex((m) => isJsonObject(m) && hasOwn(m, mergeKey) && m[mergeKey] === value);
    const itemPath = `${path}[${mergeKey}=${JSON.stringify(value)}]`;
    merged[i >= 0 ? i : merged.length] = mergeMap(
      i >= 0 ? (merged[i] as JsonObject) : {},
      item as JsonObject,
      elemType,
      itemPath,
    );
  }

  const liveView = [...original];
  let length = original.length;
  const matches = (v: unknown, key: unknown) => isJsonObject(v) && hasOwn(v, mergeKey) && v[mergeKey] === key;
  for (const key of deleted) {
    for (let i = liveView.findIndex((v, j) => j < length && matches(v, key)); i >= 0;) {
      liveView.copyWithin(i, i + 1, length);
      length--;
      i = liveView.findIndex((v, j) => j < length && matches(v, key));
    }
  }
  if (!replace) {
    for (let j = server.length; j < merged.length && j < liveView.length; j++) liveView[j] = merged[j];
  }

  const [inPatch, serverOnly] = partition(merged, patchItems, mergeKey, kind, path);
  return {
    merged: normalizeElementOrder(inPatch, serverOnly, patchItems, server, mergeKey, kind, path),
    liveView,
  };
}

/**
 * Handles the list elements carrying `$patch`: `delete` removes the live elements with that
 * merge key, `replace` makes the other patch elements the whole list, `merge` is a plain element.
 * Returns the live list to merge into, the plain patch elements and the merge keys deleted.
 */
function applyElementDirectives(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  path: string,
): { server: unknown[]; plain: unknown[]; replace: boolean; deleted: unknown[] } {
  let server = original;
  const plain: unknown[] = [];
  const deleted: unknown[] = [];
  let replace = false;
  for (const item of patch) {
    const element = item as JsonObject;
    if (!hasOwn(element, DIRECTIVE)) {
      plain.push(element);
      continue;
    }
    const directive = element[DIRECTIVE];
    if (directive === 'delete') {
      const value = mergeKeyOf(element, mergeKey, path);
      deleted.push(value);
      server = server.filter((s) => !(isJsonObject(s) && hasOwn(s, mergeKey) && s[mergeKey] === value));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      const rest = { ...element };
      delete rest[DIRECTIVE];
      plain.push(rest);
    } else {
      throw badPatch(`unknown patch type ${JSON.stringify(directive)} in list ${at(path)}`);
    }
  }
  return { server: replace ? plain : server, plain, replace, deleted };
}

/**
 * Orders a merged list: `inPatch` by `patchOrder`, `serverOnly` by `serverOrder`, then the two
 * interleaved so that each keeps its relative order (upstream's normalizeElementOrder).
 */
function normalizeElementOrder(
  inPatch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
  path: string,
): unknown[] {
  const patchSorted = sortByOrder(inPatch, patchOrder, mergeKey, kind, path);
  const serverSorted = sortByOrder(serverOnly, serverOrder, mergeKey, kind, path);
  return mergeSortedSlice(serverSorted, patchSorted, serverOrder, mergeKey, kind);
}

function sortByOrder(
  items: unknown[],
  order: unknown[],
  mergeKey: string,
  kind: Kind,
  path: string,
): unknown[] {
  if (kind === 'map') {
    for (const v of [...items, ...order]) mergeKeyOf(v, mergeKey, path);
  }
  const deletions = kind === 'map' ? items.filter((v) => (v as JsonObject)[DIRECTIVE] === 'delete') : [];
  const rest = kind === 'map' ? items.filter((v) => (v as JsonObject)[DIRECTIVE] !== 'delete') : items;
  const rank = (v: unknown): number => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  // Array.prototype.sort is stable, as upstream's sort.SliceStable.
  return [...rest.sort((a, b) => rank(a) - rank(b)), ...deletions];
}

/**
 * Interleaves server-only items (`left`) into patch items (`right`): a server-only item goes
 * first only when both are in the live list and it came first there; so new items precede the
 * remaining server-only ones, exactly as upstream's mergeSortedSlice.
 */
function mergeSortedSlice(
  left: unknown[],
  right: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Splits `items` into those present in `by` (compared by merge key, or by value) and the rest. */
function partition(
  items: unknown[],
  by: unknown[],
  mergeKey: string,
  kind: Kind,
  path: string,
): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of items) {
    if (kind === 'map') mergeKeyOf(item, mergeKey, path);
    (indexIn(by, item, mergeKey, kind) >= 0 ? present : absent).push(item);
  }
  return [present, absent];
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: Kind): number {
  if (kind !== 'map') return list.indexOf(item);
  const value = isJsonObject(item) ? item[mergeKey] : undefined;
  return list.findIndex((v) => (isJsonObject(v) ? v[mergeKey] : undefined) === value);
}

function sameElement(a: unknown, b: unknown, mergeKey: string, path: string): boolean {
  if (!mergeKey) return a === b;
  return mergeKeyOf(a, mergeKey, path) === mergeKeyOf(b, mergeKey, path);
}

function mergeKeyOf(item: unknown, mergeKey: string, path: string): unknown {
  if (!isJsonObject(item)) throw badPatch(`the list at ${at(path)} mixes objects with ${describe(item)}`);
  if (!hasOwn(item, mergeKey)) {
    throw badPatch(
      `map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey} (at ${at(path)})`,
    );
  }
  return item[mergeKey];
}

/** Whether the elements of the lists are objects or primitives; lists of lists and mixtures are refused. */
function sliceKind(path: string, ...lists: unknown[][]): Kind {
  let kind: Kind | undefined;
  for (const list of lists) {
    for (const v of list) {
      if (Array.isArray(v)) throw badPatch(`lists of lists are not supported (at ${at(path)})`);
      const k: Kind = isJsonObject(v) ? 'map' : 'scalar';
      if (kind !== undefined && k !== kind) {
        throw badPatch(`list element types are not identical at ${at(path)}`);
      }
      kind = k;
    }
  }
  return kind ?? 'scalar';
}

function listKey(directiveKey: string, prefix: string, path: string): string {
  const key = directiveKey.slice(prefix.length);
  if (!key) throw badPatch(`${directiveKey} at ${at(path)} names no list`);
  return key;
}

function isDirectiveKey(key: string): boolean {
  return (
    key === DIRECTIVE ||
    key === RETAIN_KEYS ||
    key.startsWith(SET_ELEMENT_ORDER) ||
    key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
  );
}

/** Removes directives left in values that were taken from the patch as they were (replaced lists and maps). */
function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.filter((v) => !(isJsonObject(v) && v[DIRECTIVE] === 'delete')).map(stripDirectives);
  }
  if (isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      if (isDirectiveKey(key)) delete value[key];
      else value[key] = stripDirectives(value[key]);
    }
  }
  return value;
}

function at(path: string): string {
  return path || '.';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function badPatch(message: string) {
  return errors.badRequest(`invalid strategic merge patch: ${message}`);
}
