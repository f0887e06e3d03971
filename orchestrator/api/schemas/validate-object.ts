/**
 * Admission validation: decodes a request body against its kind's schema, applies the
 * request's `fieldValidation` to unknown fields, runs the kind's semantic checks and throws
 * one `Invalid` error listing every problem.
 */
import { errors } from '../errors.js';
import { apiVersionOf, RESOURCES } from '../resources.js';
import type { KubeObject } from '../types.js';
import { FieldErrors } from './field-errors.js';
import { kindSchema } from './kinds.js';
import type { DecodeContext } from './shape.js';

/** The `?fieldValidation=` directive: what to do with fields the schema does not know. */
export type FieldValidation = 'Strict' | 'Ignore' | 'Warn';

/** Options of `validateObject`. */
export interface ValidateOptions {
  /** The kind the URL addresses; the body's `kind`, when given, must equal it. */
  kind: string;
  /** `Strict`: unknown fields are errors; `Ignore`: dropped; `Warn`: dropped and reported as warnings. */
  fieldValidation: FieldValidation;
}

/** What `validateObject` admits. */
export interface ValidationResult {
  /**
   * A fresh copy of the input without unknown fields and without `null`-valued known fields,
   * with `apiVersion`, `kind` and `metadata` filled in when the body left them out.
   */
  object: KubeObject;
  /** `unknown field "spec.foo"` per dropped field under `Warn`; empty otherwise. */
  warnings: string[];
}

/**
 * Validates `obj` as an object of `opts.kind`. Never mutates `obj`.
 * @throws ApiError `Invalid` (422) from `errors.invalid(kind, group, name, causes)` whose
 *   causes carry the Kubernetes field path in `field` and Kubernetes' wording in `message`:
 *   wrong JSON types, unknown fields under `Strict`, and every semantic problem, all at once.
 */
export function validateObject(obj: unknown, opts: ValidateOptions): ValidationResult {
  const schema = kindSchema(opts.kind);
  const resource = RESOURCES.find((r) => r.kind === opts.kind);
  const errs = new FieldErrors();
  const ctx: DecodeContext = { errors: errs, unknownFields: [] };

  let decoded: Record<string, unknown> | undefined;
  if (obj === null || obj === undefined) errs.typeInvalid('', obj, 'object');
  else decoded = schema.shape.decode(obj, '', ctx) as Record<string, unknown> | undefined;

  const { apiVersion, kind, metadata, ...rest } = decoded ?? {};
  const expectedVersion = resource ? apiVersionOf(resource) : undefined;
  if (apiVersion !== undefined && expectedVersion !== undefined && apiVersion !== expectedVersion) {
    errs.notSupported('apiVersion', apiVersion, [expectedVersion]);
  }
  if (kind !== undefined && kind !== opts.kind) errs.notSupported('kind', kind, [opts.kind]);
  const object: KubeObject = {
    apiVersion: (apiVersion as string | undefined) ?? expectedVersion ?? '',
    kind: (kind as string | undefined) ?? opts.kind,
    metadata: (metadata as KubeObject['metadata'] | undefined) ?? {},
    ...rest,
  };

  const warnings: string[] = [];
  for (const path of ctx.unknownFields) {
    if (opts.fieldValidation === 'Strict') errs.unknownField(path);
    else if (opts.fieldValidation === 'Warn') warnings.push(`unknown field ${JSON.stringify(path)}`);
  }

  if (decoded) schema.validate(errs, object);
  warnings.push(...errs.warnings);

  if (!errs.empty) {
    const name = object.metadata.name ?? object.metadata.generateName ?? '';
    throw errors.invalid(opts.kind, resource?.group ?? '', name, errs.causes);
  }
  return { object, warnings };
}
