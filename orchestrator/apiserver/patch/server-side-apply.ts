import { ApiError, errors } from '../../api/errors.js';
import type { KubeObject, ManagedFieldsEntry } from '../../api/types.js';
import {
  decodeFieldsV1,
  encodeFieldsV1,
  fieldsOf,
  formatPath,
  keyElement,
  listShape,
  pathKey,
  SYSTEM_METADATA,
  valueElement,
  type FieldEntry,
  type FieldPath,
} from './field-set.js';
import { cloneJson, hasOwn, isJsonObject, jsonEqual, setOwn, type JsonObject } from './json-value.js';
import { lookupField, rootTypeOf, type FieldSchema } from './merge-keys.js';

/** Options of one server-side apply request (`PATCH` with `application/apply-patch+yaml`). */
export interface ApplyOptions {
  /** The `fieldManager` query parameter; required for apply. */
  manager: string;
  /** The `force` query parameter: take ownership of conflicting fields instead of failing. */
  force: boolean;
  /** RFC 3339 time stamped on the manager's `managedFields` entry. */
  now: string;
}

interface Manager {
  entry: ManagedFieldsEntry;
  set: Map<string, FieldPath>;
}

/**
 * Server-side apply of the configuration `applied` by `opts.manager` onto `live` (`undefined`
 * when the object does not exist yet) and returns the resulting object, inputs untouched.
 *
 * The configuration is merged structurally into the live object: objects member by member,
 * lists keyed by their merge key (see `merge-keys.ts`) element by element, lists of primitives
 * merged by value as sets, other lists replaced. `status` and the metadata the apiserver owns
 * (uid, resourceVersion, ...) are ignored; null values count as absent. Fields this manager
 * applied last time but no longer applies are removed unless another manager owns them.
 *
 * Ownership lives in `metadata.managedFields`: the manager's `operation: 'Apply'` entry is set
 * to exactly the fields of this configuration. Changing the value of a field that another entry
 * owns is an `ApiError` `Conflict` (409) whose message is kube-apiserver's (`Apply failed with 1
 * conflict: conflict with "other": .spec.replicas`) with one cause per field, unless
 * `opts.force`, in which case the other entries lose those fields. A configuration without
 * apiVersion or kind, of another kind than `live`, or carrying managedFields is a `BadRequest`.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  opts: ApplyOptions,
): KubeObject {
  validate(live, applied);
  const kind = applied.kind;
  const config = configurationOf(applied);
  const configFields = fieldsOf(config, kind);
  const liveObject = live ? (cloneJson(live) as unknown as JsonObject) : undefined;

  const managers = decodeManagers(live?.metadata.managedFields);
  const self = managers.find((m) => m.entry.manager === opts.manager && m.entry.operation === 'Apply');
  const others = managers.filter((m) => m !== self);

  if (liveObject) {
    const conflicts = findConflicts(configFields, fieldsOf(liveObject, kind), others);
    if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);
    for (const { manager, path } of conflicts) manager.set.delete(pathKey(path));
  }

  let merged: JsonObject;
  if (liveObject) {
    merged = mergeObject(liveObject, config, rootTypeOf(kind));
    const owners = [...others.map((m) => m.set), new Map([...configFields].map(([k, e]) => [k, e.path]))];
    const removed = [...(self?.set.values() ?? [])].filter((p) => !configFields.has(pathKey(p)));
    prune(merged, kind, removed, owners);
  } else {
    merged = { apiVersion: applied.apiVersion, kind, ...config };
  }

  const newSet = [...configFields.values()].map((e) => e.path);
  const previous = self ? [...self.set.values()] : [];
  const unchanged =
    self !== undefined &&
    self.entry.apiVersion === applied.apiVersion &&
    previous.length === newSet.length &&
    newSet.every((p) => self.set.has(pathKey(p)));
  const entry: ManagedFieldsEntry = {
    manager: opts.manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    time: unchanged ? self.entry.time : opts.now,
    fieldsType: 'FieldsV1',
    fieldsV1: encodeFieldsV1(newSet),
  };
  const entries = managers.map((m) => (m === self ? entry : encodeManager(m)));
  if (!self) entries.push(entry);
  (merged.metadata as JsonObject).managedFields = entries.filter((e) => !isEmptyFieldSet(e.fieldsV1));
  return merged as unknown as KubeObject;
}

/**
 * Records in `after.metadata.managedFields` that `manager` made the change from `before`
 * (`undefined` for a create) to `after` by an ordinary create, update or patch, and returns
 * that object; inputs are untouched.
 *
 * Fields added or changed become owned by the manager's `operation: 'Update'` entry and leave
 * every other entry; fields removed leave every entry. Entries left owning nothing are dropped.
 * The entries start from `after`'s managedFields when the request carried some, else from
 * `before`'s.
 */
export function recordUpdateManager(
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  operation: 'Update',
  now: string,
): KubeObject {
  const kind = after.kind;
  const result = cloneJson(after);
  const beforeFields = before
    ? fieldsOf(before as unknown as JsonObject, before.kind)
    : new Map<string, FieldEntry>();
  const afterFields = fieldsOf(after as unknown as JsonObject, kind);

  const changed = [...afterFields.entries()].filter(([k, e]) => {
    const old = beforeFields.get(k);
    return old === undefined || (e.kind === 'leaf' && !jsonEqual(old.value, e.value));
  });
  const removed = new Set([...beforeFields.keys()].filter((k) => !afterFields.has(k)));
  const changedKeys = new Set(changed.map(([k]) => k));
  const isRemoved = (path: FieldPath) => path.some((_, i) => removed.has(pathKey(path.slice(0, i + 1))));

  const source = Array.isArray(after.metadata.managedFields)
    ? after.metadata.managedFields
    : before?.metadata.managedFields;
  const managers = decodeManagers(source);
  let self = managers.find((m) => m.entry.manager === manager && m.entry.operation === operation);
  if (!self && changed.length > 0) {
    self = { entry: { manager, operation, apiVersion: after.apiVersion }, set: new Map() };
    managers.push(self);
  }
  for (const m of managers) {
    for (const [k, path] of m.set) {
      if (isRemoved(path) || (m !== self && changedKeys.has(k))) m.set.delete(k);
    }
  }
  if (self && changed.length > 0) {
    for (const [k, e] of changed) self.set.set(k, e.path);
    self.entry = { ...self.entry, apiVersion: after.apiVersion, time: now };
  }
  const entries = managers.map(encodeManager).filter((e) => !isEmptyFieldSet(e.fieldsV1));
  if (entries.length > 0) result.metadata.managedFields = entries;
  else delete result.metadata.managedFields;
  return result;
}

function validate(live: KubeObject | undefined, applied: KubeObject): void {
  if (!isJsonObject(applied)) throw errors.badRequest('the applied configuration must be an object');
  if (typeof applied.apiVersion !== 'string' || !applied.apiVersion) {
    throw errors.badRequest("the applied configuration has no 'apiVersion'");
  }
  if (typeof applied.kind !== 'string' || !applied.kind) {
    throw errors.badRequest("the applied configuration has no 'kind'");
  }
  if (!isJsonObject(applied.metadata)) throw errors.badRequest("the applied configuration has no 'metadata'");
  const managedFields = applied.metadata.managedFields as unknown;
  if (managedFields !== undefined && managedFields !== null) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
  if (live && live.kind !== applied.kind) {
    throw errors.badRequest(
      `the applied configuration is a ${applied.kind}, but the object is a ${live.kind}`,
    );
  }
}

/** The applied configuration as merged: no status, no system metadata, no nulls. */
function configurationOf(applied: KubeObject): JsonObject {
  const config = dropNulls(cloneJson(applied)) as JsonObject;
  delete config.apiVersion;
  delete config.kind;
  delete config.status;
  const metadata = config.metadata as JsonObject;
  for (const k of SYSTEM_METADATA) delete metadata[k];
  return config;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(dropNulls);
  if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete value[k];
      else value[k] = dropNulls(v);
    }
  }
  return value;
}

interface Conflict {
  manager: Manager;
  path: FieldPath;
}

/** Leaves the configuration sets to a value other than the live one, owned by another manager. */
function findConflicts(
  config: Map<string, FieldEntry>,
  live: Map<string, FieldEntry>,
  others: Manager[],
): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const [key, entry] of config) {
    if (entry.kind !== 'leaf') continue;
    const current = live.get(key);
    if (current === undefined || jsonEqual(current.value, entry.value)) continue;
    for (const manager of others) if (manager.set.has(key)) conflicts.push({ manager, path: entry.path });
  }
  return conflicts;
}

function describeManager(entry: ManagedFieldsEntry): string {
  const name = JSON.stringify(entry.manager ?? '');
  if (entry.operation !== 'Update') return name;
  return `${name} using ${entry.apiVersion ?? ''}${entry.time ? ` at ${entry.time}` : ''}`;
}

/** kube-apiserver's apply conflict: 409 Conflict with one FieldManagerConflict cause per field. */
function conflictError(conflicts: Conflict[]): ApiError {
  let message: string;
  if (conflicts.length === 1) {
    const [c] = conflicts;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(c.manager.entry)}: ${formatPath(c.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const name = describeManager(c.manager.entry);
      byManager.set(name, [...(byManager.get(name) ?? []), formatPath(c.path)]);
    }
    const lines = [...byManager.keys()]
      .sort()
      .flatMap((name) => [`conflicts with ${name}:`, ...(byManager.get(name) ?? []).map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError('Conflict', message, {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${describeManager(c.manager.entry)}`,
      field: formatPath(c.path),
    })),
  });
}

/** Merges the configuration into a copy of the live object. */
function mergeObject(live: JsonObject, config: JsonObject, type: string | undefined): JsonObject {
  const out = cloneJson(live);
  for (const [k, v] of Object.entries(config)) {
    setOwn(out, k, mergeValue(hasOwn(live, k) ? live[k] : undefined, v, lookupField(type, k)));
  }
  return out;
}

function mergeValue(live: unknown, config: unknown, field: FieldSchema): unknown {
  if (isJsonObject(live) && isJsonObject(config) && field.meta?.structType !== 'atomic') {
    return mergeObject(live, config, field.type);
  }
  if (Array.isArray(live) && Array.isArray(config)) {
    const shape = listShape(field.meta, [...live, ...config]);
    if (shape.kind === 'set') return [...live, ...config.filter((v) => !live.includes(v))];
    if (shape.kind === 'map') {
      const keyOf = (item: unknown) => keyElement(item as JsonObject, shape);
      return mergeKeyedLists(live as JsonObject[], config as JsonObject[], keyOf, field.type);
    }
  }
  return cloneJson(config);
}

/**
 * Merges keyed lists: the configuration's elements in its order, each merged into the live
 * element with the same key; live elements the configuration does not name stay where they were.
 */
function mergeKeyedLists(
  live: JsonObject[],
  config: JsonObject[],
  keyOf: (item: unknown) => string,
  type: string | undefined,
): JsonObject[] {
  const liveByKey = new Map<string, JsonObject>();
  for (const item of live) if (!liveByKey.has(keyOf(item))) liveByKey.set(keyOf(item), item);
  const configKeys = new Set(config.map(keyOf));
  const out: JsonObject[] = [];
  const emitted = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < live.length || j < config.length) {
    const liveKey = i < live.length ? keyOf(live[i]) : undefined;
    if (liveKey !== undefined && (emitted.has(liveKey) || !configKeys.has(liveKey))) {
      if (!emitted.has(liveKey)) {
        out.push(cloneJson(live[i]));
        emitted.add(liveKey);
      }
      i++;
    } else if (j < config.length) {
      const key = keyOf(config[j]);
      if (!emitted.has(key)) {
        const match = liveByKey.get(key);
        out.push(match ? mergeObject(match, config[j], type) : cloneJson(config[j]));
        emitted.add(key);
      }
      j++;
    } else {
      i++;
    }
  }
  return out;
}

interface Step {
  container: JsonObject | unknown[];
  at: string | number;
  element: string;
}

/** The containers along `path` in `root`, or undefined when the path does not exist. */
function resolve(root: JsonObject, path: FieldPath, kind: string): Step[] | undefined {
  const steps: Step[] = [];
  let current: unknown = root;
  let field: FieldSchema = { type: rootTypeOf(kind), meta: undefined };
  for (const element of path) {
    if (element.startsWith('f:')) {
      const name = element.slice(2);
      if (!isJsonObject(current) || !hasOwn(current, name)) return undefined;
      steps.push({ container: current, at: name, element });
      field = lookupField(field.type, name);
      current = current[name];
      continue;
    }
    if (!Array.isArray(current)) return undefined;
    let index = -1;
    if (element.startsWith('k:')) {
      const shape = listShape(field.meta, current);
      if (shape.kind === 'map') {
        index = current.findIndex((item) => keyElement(item as JsonObject, shape) === element);
      }
    } else if (element.startsWith('v:')) {
      index = current.findIndex((v) => valueElement(v) === element);
    }
    if (index < 0) return undefined;
    steps.push({ container: current, at: index, element });
    field = { type: field.type, meta: undefined };
    current = current[index];
  }
  return steps;
}

/**
 * Removes the fields the manager stopped applying, except those (or those with descendants)
 * some owner still holds, and the key members of list elements that stay. Objects and lists
 * left empty by a removal go too unless owned, as Go's omitempty would drop them.
 */
function prune(
  merged: JsonObject,
  kind: string,
  removed: FieldPath[],
  owners: Map<string, FieldPath>[],
): void {
  const owned = new Set<string>();
  for (const set of owners) {
    for (const path of set.values())
      for (let i = 1; i <= path.length; i++) owned.add(pathKey(path.slice(0, i)));
  }
  for (const path of [...removed].sort((a, b) => a.length - b.length)) {
    if (owned.has(pathKey(path)) || isKeyMember(path)) continue;
    const steps = resolve(merged, path, kind);
    if (!steps) continue;
    for (let d = steps.length - 1; d >= 0; d--) {
      const { container, at, element } = steps[d];
      if (d < steps.length - 1) {
        const value = (container as Record<string | number, unknown>)[at];
        const empty = Array.isArray(value)
          ? value.length === 0
          : isJsonObject(value) && Object.keys(value).length === 0;
        if (!empty || !element.startsWith('f:') || owned.has(pathKey(path.slice(0, d + 1)))) break;
      }
      if (Array.isArray(container)) container.splice(at as number, 1);
      else delete container[at as string];
    }
  }
}

function isKeyMember(path: FieldPath): boolean {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (!last?.startsWith('f:') || !parent?.startsWith('k:')) return false;
  try {
    return hasOwn(JSON.parse(parent.slice(2)) as JsonObject, last.slice(2));
  } catch {
    return false;
  }
}

function decodeManagers(entries: ManagedFieldsEntry[] | undefined): Manager[] {
  return (Array.isArray(entries) ? entries : []).map((entry) => ({
    entry,
    set: new Map(decodeFieldsV1(entry.fieldsV1).map((p) => [pathKey(p), p])),
  }));
}

function encodeManager(m: Manager): ManagedFieldsEntry {
  return { ...cloneJson(m.entry), fieldsType: 'FieldsV1', fieldsV1: encodeFieldsV1(m.set.values()) };
}

function isEmptyFieldSet(fieldsV1: unknown): boolean {
  return !isJsonObject(fieldsV1) || Object.keys(fieldsV1).length === 0;
}
