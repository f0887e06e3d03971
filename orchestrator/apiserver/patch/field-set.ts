import { hasOwn, isJsonObject, setOwn, type JsonObject } from './json-value.js';
import { lookupField, rootTypeOf, type PatchMeta } from './merge-keys.js';

/**
 * Field sets as server-side apply records them in `metadata.managedFields` (`FieldsV1`): a path
 * is a list of elements, `f:<field>` for a member of an object, `k:<json keys>` for an element
 * of a list keyed like a map, `v:<json value>` for an element of a list used as a set.
 */
export type FieldPath = readonly string[];

/** One path of an object: a `leaf` carries a value that can conflict, an `item` only identity. */
export interface FieldEntry {
  path: FieldPath;
  kind: 'leaf' | 'item';
  value: unknown;
}

/** How server-side apply treats a list: keyed by members, a set of primitives, or one atomic value. */
export type ListShape =
  | { kind: 'map'; keys: readonly string[]; defaults: Readonly<Record<string, unknown>> }
  | { kind: 'set' }
  | { kind: 'atomic' };

/** Metadata the apiserver sets; an applied configuration neither owns nor overwrites it. */
export const SYSTEM_METADATA: readonly string[] = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
  'managedFields',
];

// Fields that the apiserver owns; they never appear in a field set (upstream's stripMeta).
const IGNORED_ROOT: ReadonlySet<string> = new Set(['apiVersion', 'kind']);
const IGNORED_METADATA: ReadonlySet<string> = new Set(['name', 'namespace', ...SYSTEM_METADATA]);

/** The identity of a path, usable as a Map or Set key. */
export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

/**
 * The shape of a list field given its patch strategy and its elements: lists merged by key are
 * maps (keyed by `listMapKeys`, else the merge key), lists of primitives merged by value are
 * sets, anything else (including a keyed list with an element lacking its key) is atomic.
 */
export function listShape(meta: PatchMeta | undefined, items: readonly unknown[]): ListShape {
  if (meta?.patchStrategy !== 'merge') return { kind: 'atomic' };
  if (meta.patchMergeKey === undefined) {
    return items.every((v) => !isJsonObject(v) && !Array.isArray(v)) ? { kind: 'set' } : { kind: 'atomic' };
  }
  const keys = meta.listMapKeys ?? [meta.patchMergeKey];
  const defaults = meta.keyDefaults ?? {};
  const keyed = items.every((v) => isJsonObject(v) && hasOwn(v, keys[0]));
  return keyed ? { kind: 'map', keys, defaults } : { kind: 'atomic' };
}

/** The `k:` element of a keyed list element: its key members (defaults filled in), sorted by name. */
export function keyElement(item: JsonObject, shape: Extract<ListShape, { kind: 'map' }>): string {
  const key: JsonObject = {};
  for (const k of [...shape.keys].sort()) {
    const v = hasOwn(item, k) ? item[k] : shape.defaults[k];
    if (v !== undefined) key[k] = v;
  }
  return 'k:' + JSON.stringify(key);
}

/** The `v:` element of a set element. */
export function valueElement(value: unknown): string {
  return 'v:' + JSON.stringify(value);
}

/** Every path of `obj` (an object of `kind`), leaves with their values, by `pathKey`. */
export function fieldsOf(obj: JsonObject, kind: string): Map<string, FieldEntry> {
  const out = new Map<string, FieldEntry>();
  const type = rootTypeOf(kind);
  for (const [k, v] of Object.entries(obj)) {
    if (IGNORED_ROOT.has(k)) continue;
    const field = lookupField(type, k);
    if (k === 'metadata' && isJsonObject(v)) {
      const meta = Object.fromEntries(Object.entries(v).filter(([mk]) => !IGNORED_METADATA.has(mk)));
      if (Object.keys(meta).length > 0) collectMembers(meta, field.type, ['f:metadata'], out);
      continue;
    }
    collect(v, field.type, field.meta, ['f:' + k], out);
  }
  return out;
}

function collect(
  value: unknown,
  type: string | undefined,
  meta: PatchMeta | undefined,
  path: FieldPath,
  out: Map<string, FieldEntry>,
): void {
  if (isJsonObject(value) && Object.keys(value).length > 0 && meta?.structType !== 'atomic') {
    collectMembers(value, type, path, out);
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    const shape = listShape(meta, value);
    if (shape.kind === 'map') {
      for (const item of value as JsonObject[]) {
        const itemPath = [...path, keyElement(item, shape)];
        out.set(pathKey(itemPath), { path: itemPath, kind: 'item', value: item });
        collectMembers(item, type, itemPath, out);
      }
      return;
    }
    if (shape.kind === 'set') {
      for (const item of value) {
        const itemPath = [...path, valueElement(item)];
        out.set(pathKey(itemPath), { path: itemPath, kind: 'item', value: item });
      }
      return;
    }
  }
  out.set(pathKey(path), { path, kind: 'leaf', value });
}

function collectMembers(
  obj: JsonObject,
  type: string | undefined,
  path: FieldPath,
  out: Map<string, FieldEntry>,
) {
  for (const [k, v] of Object.entries(obj)) {
    const field = lookupField(type, k);
    collect(v, field.type, field.meta, [...path, 'f:' + k], out);
  }
}

/** Encodes paths as a `FieldsV1` object: a tree where `".": {}` marks a member that also has children. */
export function encodeFieldsV1(paths: Iterable<FieldPath>): JsonObject {
  interface Node {
    member: boolean;
    children: Map<string, Node>;
  }
  const root: Node = { member: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const element of path) {
      let child = node.children.get(element);
      if (!child) {
        child = { member: false, children: new Map() };
        node.children.set(element, child);
      }
      node = child;
    }
    node.member = true;
  }
  const render = (node: Node): JsonObject => {
    const out: JsonObject = {};
    if (node.member && node.children.size > 0) out['.'] = {};
    for (const element of [...node.children.keys()].sort()) {
      setOwn(out, element, render(node.children.get(element) as Node));
    }
    return out;
  };
  return render(root);
}

/** Decodes a `FieldsV1` object into its member paths; anything malformed decodes to nothing. */
export function decodeFieldsV1(fieldsV1: unknown): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (node: JsonObject, path: string[]): void => {
    const entries = Object.entries(node);
    if (entries.length === 0 && path.length > 0) out.push(path);
    for (const [element, child] of entries) {
      if (element === '.') {
        if (path.length > 0) out.push(path);
      } else if (isJsonObject(child)) {
        walk(child, [...path, element]);
      }
    }
  };
  if (isJsonObject(fieldsV1)) walk(fieldsV1, []);
  return out;
}

/** A path as kube-apiserver prints it in conflict messages: `.spec.containers[name="web"].image`. */
export function formatPath(path: FieldPath): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith('f:')) return '.' + body;
      if (element.startsWith('v:')) return `[=${body}]`;
      if (element.startsWith('k:')) {
        try {
          const key = JSON.parse(body) as JsonObject;
          return `[${Object.entries(key)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`;
        } catch {
          return `[${body}]`;
        }
      }
      return element;
    })
    .join('');
}
