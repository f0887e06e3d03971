/**
 * Conversion between decoded protobuf messages and the Kubernetes JSON form of the same object,
 * driven by the schema in kubernetes-proto.ts. The rules mirror what Go's generated unmarshalling
 * followed by encoding/json produces, so a protobuf body and the JSON body kubectl would have
 * sent for the same command end up as the same object.
 */
import protobuf from 'protobufjs';
import type { ProtoType } from './schema.js';

type Json = Record<string, unknown>;
type Field = protobuf.Field;

const META = '.k8s.io.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const FIELDS_V1 = `${META}.FieldsV1`;
const QUANTITY = '.k8s.io.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = '.k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const RAW_EXTENSION = '.k8s.io.apimachinery.pkg.runtime.RawExtension';

/** Thrown for input that does not fit the schema; callers turn it into an ApiError. */
export class SchemaMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaMismatch';
  }
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const isInline = (f: Field): boolean => f.options?.['(inline)'] === true;
const emitsZero = (f: Field): boolean => f.options?.['(emit)'] === true;
/** The field's key in JSON: its name, unless the proto name differs from the Go json tag (`uID`). */
const jsonKey = (f: Field): string => {
  const key: unknown = f.options?.['(json)'];
  return typeof key === 'string' ? key : f.name;
};

interface LongLike {
  toNumber(): number;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && 'toNumber' in v) return (v as LongLike).toNumber();
  return Number(v);
}

// ---------------------------------------------------------------------------------------------
// protobuf → JSON

/** Renders a decoded message as its Kubernetes JSON object (without apiVersion/kind). */
export function messageToJson(type: ProtoType, msg: object): Json {
  const out: Json = {};
  const rec = msg as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    if (!hasOwn(msg, field.name)) continue;
    const value = rec[field.name];
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) continue;
      out[jsonKey(field)] = Object.fromEntries(entries.map(([k, v]) => [k, valueToJson(field, v)]));
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length === 0) continue;
      out[jsonKey(field)] = items.map((v) => valueToJson(field, v));
    } else if (field.resolvedType instanceof protobuf.Type) {
      if (isInline(field)) {
        Object.assign(out, messageToJson(field.resolvedType, value as object));
        continue;
      }
      const json = valueToJson(field, value);
      if (json !== undefined) out[jsonKey(field)] = json;
    } else {
      if (!emitsZero(field) && isZeroScalar(value)) continue;
      out[jsonKey(field)] = scalarToJson(field, value);
    }
  }
  return out;
}

function valueToJson(field: Field, value: unknown): unknown {
  const type = field.resolvedType;
  if (!(type instanceof protobuf.Type)) return scalarToJson(field, value);
  const msg = value as Record<string, unknown>;
  switch (type.fullName) {
    case TIME:
      return timeToJson(msg, false);
    case MICRO_TIME:
      return timeToJson(msg, true);
    case QUANTITY:
      return typeof msg.string === 'string' ? msg.string : '0';
    case INT_OR_STRING:
      return toNumber(msg.type ?? 0) === 1 ? (msg.strVal ?? '') : toNumber(msg.intVal ?? 0);
    case FIELDS_V1:
      return embeddedJson(msg.Raw);
    case RAW_EXTENSION:
      return embeddedJson(msg.raw);
    default:
      return messageToJson(type, msg);
  }
}

function scalarToJson(field: Field, value: unknown): unknown {
  switch (field.type) {
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return toNumber(value);
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return value;
  }
}

function isZeroScalar(v: unknown): boolean {
  if (v === '' || v === false || v === 0) return true;
  if (v instanceof Uint8Array) return v.length === 0;
  if (v !== null && typeof v === 'object' && 'isZero' in v) return (v as { isZero(): boolean }).isZero();
  return false;
}

// Go writes a zero time as an empty message and renders it as `null`; an absent time reads the same
// to every JSON consumer, so both are left out.
function timeToJson(msg: Record<string, unknown>, micro: boolean): string | undefined {
  if (!hasOwn(msg, 'seconds') && !hasOwn(msg, 'nanos')) return undefined;
  const seconds = toNumber(msg.seconds ?? 0);
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  const micros = Math.floor(toNumber(msg.nanos ?? 0) / 1000);
  return `${base}.${String(micros).padStart(6, '0')}Z`;
}

function embeddedJson(raw: unknown): unknown {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return undefined;
  const text = Buffer.from(raw).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SchemaMismatch(`embedded object is not JSON: ${text.slice(0, 80)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON → protobuf

/**
 * Turns a Kubernetes JSON object (without apiVersion/kind) into the plain object protobufjs encodes
 * for `type`. Every key must belong to the schema: a key we cannot place would otherwise vanish.
 */
export function jsonToMessage(type: ProtoType, json: Json, path: string): Json {
  const out: Json = {};
  const claimed = new Set<string>();
  for (const field of type.fieldsArray) {
    if (isInline(field)) {
      const sub = field.resolvedType as ProtoType;
      const keys = jsonKeysOf(sub).filter((k) => hasOwn(json, k));
      if (keys.length === 0) continue;
      keys.forEach((k) => claimed.add(k));
      out[field.name] = jsonToMessage(sub, Object.fromEntries(keys.map((k) => [k, json[k]])), path);
      continue;
    }
    const key = jsonKey(field);
    claimed.add(key);
    if (!hasOwn(json, key)) continue;
    const value = json[key];
    if (value === null || value === undefined) continue;
    const where = `${path}.${key}`;
    if (field.map) {
      if (!isPlainObject(value)) throw new SchemaMismatch(`${where} must be an object`);
      out[field.name] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, valueToProto(field, v, `${where}.${k}`)]),
      );
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw new SchemaMismatch(`${where} must be an array`);
      out[field.name] = value.map((v, i) => valueToProto(field, v, `${where}[${i}]`));
    } else {
      out[field.name] = valueToProto(field, value, where);
    }
  }
  for (const key of Object.keys(json)) {
    if (!claimed.has(key)) throw new SchemaMismatch(`${path}.${key} is not a field of ${type.name}`);
  }
  return out;
}

const keysCache = new WeakMap<ProtoType, string[]>();

function jsonKeysOf(type: ProtoType): string[] {
  let keys = keysCache.get(type);
  if (!keys) {
    keys = type.fieldsArray.flatMap((f) =>
      isInline(f) ? jsonKeysOf(f.resolvedType as ProtoType) : [jsonKey(f)],
    );
    keysCache.set(type, keys);
  }
  return keys;
}

function valueToProto(field: Field, value: unknown, where: string): unknown {
  const type = field.resolvedType;
  if (!(type instanceof protobuf.Type)) return scalarToProto(field, value, where);
  switch (type.fullName) {
    case TIME:
      return { seconds: parseTime(value, where).seconds };
    case MICRO_TIME:
      return parseTime(value, where);
    case QUANTITY:
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new SchemaMismatch(`${where} must be a quantity`);
      return { string: String(value) };
    case INT_OR_STRING:
      if (typeof value === 'number' && Number.isInteger(value)) return { type: 0, intVal: value };
      if (typeof value === 'string') return { type: 1, strVal: value };
      throw new SchemaMismatch(`${where} must be an integer or a string`);
    case FIELDS_V1:
      return { Raw: Buffer.from(JSON.stringify(value)) };
    case RAW_EXTENSION:
      return { raw: Buffer.from(JSON.stringify(value)) };
    default:
      if (!isPlainObject(value)) throw new SchemaMismatch(`${where} must be an object`);
      return jsonToMessage(type, value, where);
  }
}

function scalarToProto(field: Field, value: unknown, where: string): unknown {
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw new SchemaMismatch(`${where} must be a string`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new SchemaMismatch(`${where} must be a boolean`);
      return value;
    case 'bytes':
      if (typeof value !== 'string') throw new SchemaMismatch(`${where} must be a base64 string`);
      return Buffer.from(value, 'base64');
    default:
      if (typeof value !== 'number' || !Number.isInteger(value))
        throw new SchemaMismatch(`${where} must be an integer`);
      return value;
  }
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

function parseTime(value: unknown, where: string): { seconds: number; nanos?: number } {
  const m = typeof value === 'string' ? RFC3339.exec(value) : null;
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new SchemaMismatch(`${where} must be an RFC 3339 time`);
  const nanos = m[2] ? Number(m[2].padEnd(9, '0')) : 0;
  return nanos ? { seconds: ms / 1000, nanos } : { seconds: ms / 1000 };
}

function isPlainObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
