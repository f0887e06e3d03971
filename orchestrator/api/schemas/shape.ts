/**
 * The structural half of admission: JSON types and known field names, decoded the way
 * kube-apiserver's strict JSON decoder treats a request body.
 *
 * Why not zod: Kubernetes semantics need `null` to mean "absent" for every field, unknown
 * fields to be either errors, warnings or silently dropped from the same schema, int32/int64
 * and quantity types named in the message, and every problem reported at once next to the
 * semantic checks. Bending zod's issues into that takes more code than these combinators.
 */
import { child, index, key, type FieldErrors } from './field-errors.js';

/** Shared state of one decoding pass. */
export interface DecodeContext {
  readonly errors: FieldErrors;
  /** Paths of fields no schema knows, in the order they were met. */
  readonly unknownFields: string[];
}

/** A JSON type. */
export interface Shape {
  /** The type's name in `must be of type <typeName>`. */
  readonly typeName: string;
  /**
   * Checks a value that is neither `null` nor `undefined` and returns a fresh copy without
   * unknown fields and `null`s; on a wrong type reports it and returns `undefined`.
   */
  decode(value: unknown, path: string, ctx: DecodeContext): unknown;
}

/** An object field whose absence (or `null`) is `Required value`. */
export interface RequiredField {
  readonly required: true;
  readonly shape: Shape;
}

/** What an object schema maps a field name to. */
export type FieldSpec = Shape | RequiredField;

/** Marks a field as required. */
export function required(shape: Shape): RequiredField {
  return { required: true, shape };
}

const isRequired = (spec: FieldSpec): spec is RequiredField => 'required' in spec;

// Plain assignment of a `__proto__` key (possible in parsed JSON) would replace the prototype
// and lose the entry; defining it keeps it as the ordinary data it is.
function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** A JSON object that is not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalar(typeName: string, test: (v: unknown) => boolean): Shape {
  return {
    typeName,
    decode(value, path, ctx) {
      if (test(value)) return value;
      ctx.errors.typeInvalid(path, value, typeName);
      return undefined;
    },
  };
}

const isInt32 = (v: unknown) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31;

/** A JSON string. */
export const string = (): Shape => scalar('string', (v) => typeof v === 'string');
/** A JSON number that fits Go's int32. */
export const int32 = (): Shape => scalar('int32', isInt32);
/** A JSON number that is an integer (int64 as far as JavaScript can tell). */
export const int64 = (): Shape => scalar('int64', (v) => Number.isSafeInteger(v));
/** A JSON boolean. */
export const boolean = (): Shape => scalar('boolean', (v) => typeof v === 'boolean');
/** Kubernetes' `intstr.IntOrString`: an int32 or a string. */
export const intOrString = (): Shape =>
  scalar('integer or string', (v) => typeof v === 'string' || isInt32(v));

/** The textual form of `resource.Quantity`, as Kubernetes' parser documents it. */
export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const quantityRegexp = new RegExp(QUANTITY_PATTERN);

/** A `resource.Quantity`: a number, or a string such as `500m` or `1Gi`. */
export const quantity = (): Shape => ({
  typeName: 'quantity',
  decode(value, path, ctx) {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string') {
      if (quantityRegexp.test(value)) return value;
      ctx.errors.invalid(path, value, `quantities must match the regular expression '${QUANTITY_PATTERN}'`);
      return undefined;
    }
    ctx.errors.typeInvalid(path, value, 'quantity');
    return undefined;
  },
});

/** Any JSON object, not looked into: fields crucible accepts but does not interpret. */
export const anyObject = (): Shape => ({
  typeName: 'object',
  decode(value, path, ctx) {
    if (isPlainObject(value)) return structuredClone(value);
    ctx.errors.typeInvalid(path, value, 'object');
    return undefined;
  },
});

/** Any JSON value at all. */
export const anything = (): Shape => ({
  typeName: 'any',
  decode: (value) => structuredClone(value),
});

/** A JSON array whose elements all have `element`'s type. */
export function array(element: Shape): Shape {
  return {
    typeName: 'array',
    decode(value, path, ctx) {
      if (!Array.isArray(value)) {
        ctx.errors.typeInvalid(path, value, 'array');
        return undefined;
      }
      const out: unknown[] = [];
      value.forEach((item, i) => {
        if (item === null || item === undefined) {
          ctx.errors.typeInvalid(index(path, i), item, element.typeName);
          return;
        }
        const decoded = element.decode(item, index(path, i), ctx);
        if (decoded !== undefined) out.push(decoded);
      });
      return out;
    },
  };
}

/** A JSON object used as a map from any string to `value`'s type (labels, resource lists). */
export function map(value: Shape): Shape {
  return {
    typeName: 'object',
    decode(input, path, ctx) {
      if (!isPlainObject(input)) {
        ctx.errors.typeInvalid(path, input, 'object');
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(input)) {
        if (v === null || v === undefined) {
          ctx.errors.typeInvalid(key(path, k), v, value.typeName);
          continue;
        }
        const decoded = value.decode(v, key(path, k), ctx);
        if (decoded !== undefined) setOwn(out, k, decoded);
      }
      return out;
    },
  };
}

/** Options of `object`. */
export interface ObjectOptions {
  /** Keep fields not listed instead of reporting them as unknown (used for `status`, volumes). */
  loose?: boolean;
}

/**
 * A JSON object with the given fields. `null` fields are dropped as Go's decoder does;
 * fields not listed are recorded in `ctx.unknownFields` and left out of the result.
 */
export function object(fields: Readonly<Record<string, FieldSpec>>, options: ObjectOptions = {}): Shape {
  return {
    typeName: 'object',
    decode(value, path, ctx) {
      if (!isPlainObject(value)) {
        ctx.errors.typeInvalid(path, value, 'object');
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(value)) {
        const fieldPath = child(path, name);
        const spec = Object.hasOwn(fields, name) ? fields[name] : undefined;
        if (!spec) {
          if (options.loose) setOwn(out, name, structuredClone(v));
          else ctx.unknownFields.push(fieldPath);
          continue;
        }
        if (v === null || v === undefined) continue;
        const decoded = (isRequired(spec) ? spec.shape : spec).decode(v, fieldPath, ctx);
        if (decoded !== undefined) out[name] = decoded;
      }
      for (const [name, spec] of Object.entries(fields)) {
        if (isRequired(spec) && (value[name] === null || value[name] === undefined)) {
          ctx.errors.required(child(path, name));
        }
      }
      return out;
    },
  };
}
