/**
 * Applies a decoded JSON value to Go-typed fields the way encoding/json's Unmarshal does, so that
 * what toxiproxy-server accepts or rejects — and the words of its type errors — are reproduced:
 * - object keys match field names exactly, else case-insensitively; unknown keys are ignored;
 * - `null` leaves a field as it was (a pointer becomes nil);
 * - a value of the wrong type is recorded and decoding goes on; the first such error is reported,
 *   e.g. "json: cannot unmarshal string into Go struct field Proxy.name of type string";
 * - integers accept only integer literals in range; float32 rounds and rejects overflow.
 */
import type { GoJsonValue } from './go-json-scanner.js';

/** A Go type, described as much as decoding and its error messages need. */
export type GoType =
  | { readonly kind: 'string' }
  | { readonly kind: 'bool' }
  /** *bool: `null` is kept as null rather than ignored. */
  | { readonly kind: 'nullableBool' }
  | { readonly kind: 'int'; readonly name: 'int64' | 'int' }
  | { readonly kind: 'float32' }
  /** A struct whose fields are all unexported (zerolog.Logger): any object fits, nothing is kept. */
  | { readonly kind: 'opaque'; readonly name: string }
  | { readonly kind: 'struct'; readonly struct: GoStruct };

export interface GoStruct {
  /** reflect's Name(): "" for an anonymous struct. Error messages say "Go struct field <name>.<path>". */
  readonly name: string;
  /** reflect's String(), e.g. "toxiproxy.Proxy": error messages say "of type <string>". */
  readonly typeString: string;
  readonly fields: readonly GoField[];
}

export interface GoField {
  readonly json: string;
  readonly type: GoType;
}

export type GoFieldValue = string | boolean | bigint | number | null | GoValues;
/** Field values by JSON name; holds the defaults before decoding, the result after. */
export interface GoValues {
  [json: string]: GoFieldValue;
}

interface ErrorContext {
  readonly struct: string | undefined;
  readonly path: readonly string[];
}

const noContext: ErrorContext = { struct: undefined, path: [] };

/** Decodes `value` into `into` (a struct's defaults); the first type error's message, or undefined. */
export function unmarshalGoStruct(value: GoJsonValue, type: GoStruct, into: GoValues): string | undefined {
  const decoder = new Unmarshaller();
  decoder.struct(value, type, into, noContext);
  return decoder.firstError;
}

/**
 * Decodes a JSON array into a slice of structs, each starting from `defaults()`; `null` is a nil
 * slice. Returns the elements and the first type error's message.
 */
export function unmarshalGoStructSlice(
  value: GoJsonValue,
  element: GoStruct,
  defaults: () => GoValues,
): { elements: GoValues[]; error: string | undefined } {
  const decoder = new Unmarshaller();
  const elements: GoValues[] = [];
  if (value.kind === 'array') {
    for (const item of value.items) {
      const into = defaults();
      decoder.struct(item, element, into, noContext);
      elements.push(into);
    }
  } else if (value.kind !== 'null') {
    decoder.mismatch(value, `[]${element.typeString}`, noContext);
  }
  return { elements, error: decoder.firstError };
}

class Unmarshaller {
  firstError: string | undefined;

  struct(value: GoJsonValue, type: GoStruct, into: GoValues, context: ErrorContext): void {
    if (value.kind === 'null') return;
    if (value.kind !== 'object') return this.mismatch(value, type.typeString, context);
    for (const [key, member] of value.members) {
      const field =
        type.fields.find((f) => f.json === key) ?? type.fields.find((f) => fold(f.json) === fold(key));
      if (!field) continue;
      const fieldContext = { struct: type.name, path: [...context.path, field.json] };
      this.field(member, field, into, fieldContext);
    }
  }

  private field(value: GoJsonValue, field: GoField, into: GoValues, context: ErrorContext): void {
    const type = field.type;
    if (value.kind === 'null') {
      if (type.kind === 'nullableBool') into[field.json] = null;
      return;
    }
    switch (type.kind) {
      case 'string':
        if (value.kind === 'string') into[field.json] = value.value;
        else this.mismatch(value, 'string', context);
        return;
      case 'bool':
      case 'nullableBool':
        if (value.kind === 'bool') into[field.json] = value.value;
        else this.mismatch(value, 'bool', context);
        return;
      case 'int': {
        if (value.kind !== 'number') return this.mismatch(value, type.name, context);
        const n = parseInt64(value.literal);
        if (n === undefined) return this.fail(`number ${value.literal}`, type.name, context);
        into[field.json] = n;
        return;
      }
      case 'float32': {
        if (value.kind !== 'number') return this.mismatch(value, 'float32', context);
        const f = Math.fround(Number(value.literal));
        if (!Number.isFinite(f)) return this.fail(`number ${value.literal}`, 'float32', context);
        into[field.json] = f;
        return;
      }
      case 'opaque':
        if (value.kind !== 'object') this.mismatch(value, type.name, context);
        return;
      case 'struct': {
        const nested = into[field.json];
        const target: GoValues = typeof nested === 'object' && nested !== null ? nested : {};
        into[field.json] = target;
        return this.struct(value, type.struct, target, context);
      }
    }
  }

  mismatch(value: GoJsonValue, goType: string, context: ErrorContext): void {
    this.fail(value.kind, goType, context);
  }

  private fail(what: string, goType: string, context: ErrorContext): void {
    if (this.firstError !== undefined) return;
    this.firstError =
      context.struct !== undefined || context.path.length > 0
        ? `json: cannot unmarshal ${what} into Go struct field ${context.struct ?? ''}.${context.path.join('.')} of type ${goType}`
        : `json: cannot unmarshal ${what} into Go value of type ${goType}`;
  }
}

const int64Max = 2n ** 63n - 1n;

function parseInt64(literal: string): bigint | undefined {
  if (!/^-?\d+$/.test(literal)) return undefined;
  const n = BigInt(literal);
  return n > int64Max || n < -int64Max - 1n ? undefined : n;
}

/** Case folding close enough to Go's for field names (ASCII, plus ſ and the Kelvin sign). */
function fold(s: string): string {
  return s.toUpperCase().toLowerCase();
}
