/**
 * Field errors worded as Kubernetes' `field.Error` so that kubectl users read the messages
 * they know, collected rather than thrown so that one response reports every problem.
 */
import type { StatusCause } from '../types.js';

/** `spec` + `replicas` → `spec.replicas`; the root path is the empty string. */
export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** `spec.containers` + 0 → `spec.containers[0]`. */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** Map entries are addressed by key, as Kubernetes' `field.Path.Key`: `metadata.labels[app]`. */
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/**
 * Renders a value the way Kubernetes prints it after `Invalid value:`: strings quoted, numbers
 * and booleans bare, structures as JSON (Go prints its own syntax there; JSON is what our
 * users wrote).
 */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

// Type errors often carry whole sub-trees; quoting all of it buries the message.
function formatBriefly(value: unknown): string {
  const text = formatValue(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * An accumulating list of `StatusCause`s whose `field` is the Kubernetes field path and whose
 * `reason` and `message` follow `k8s.io/apimachinery/pkg/util/validation/field`.
 */
export class FieldErrors {
  /** Everything reported so far, in order. */
  readonly causes: StatusCause[] = [];
  /** What is admitted but worth telling the client (kube-apiserver's warning headers). */
  readonly warnings: string[] = [];

  /** A warning about an admitted field: `spec.x: message`. */
  warn(field: string, message: string): void {
    this.warnings.push(`${field}: ${message}`);
  }

  private add(reason: string, field: string, message: string): void {
    this.causes.push({ reason, message, field });
  }

  /**
   * `Required value` (with `: detail`), unless the field was already reported or sits under a
   * value of the wrong type: a dropped value is not also a missing one.
   */
  required(field: string, detail?: string): void {
    const covered = (c: StatusCause) =>
      c.field === field ||
      (c.reason === 'FieldValueTypeInvalid' &&
        c.field !== undefined &&
        (c.field === '' || field.startsWith(`${c.field}.`) || field.startsWith(`${c.field}[`)));
    if (this.causes.some(covered)) return;
    this.add('FieldValueRequired', field, detail ? `Required value: ${detail}` : 'Required value');
  }

  /** `Invalid value: <value>: <detail>`. */
  invalid(field: string, value: unknown, detail: string): void {
    this.add('FieldValueInvalid', field, `Invalid value: ${formatValue(value)}: ${detail}`);
  }

  /** `Unsupported value: "x": supported values: "a", "b"`. */
  notSupported(field: string, value: unknown, supported: readonly string[]): void {
    const list = supported.map((s) => JSON.stringify(s)).join(', ');
    this.add(
      'FieldValueNotSupported',
      field,
      `Unsupported value: ${formatValue(value)}: supported values: ${list}`,
    );
  }

  /**
   * `Unsupported value: <what>: <why>`: something Kubernetes admits that this cluster cannot
   * honour, refused with the reason rather than admitted and ignored. `what` is printed as given
   * (a field's name, or a value already quoted with {@link formatValue}).
   */
  unsupported(field: string, what: string, why: string): void {
    this.add('FieldValueNotSupported', field, `Unsupported value: ${what}: ${why}`);
  }

  /** `Duplicate value: <value>`. */
  duplicate(field: string, value: unknown): void {
    this.add('FieldValueDuplicate', field, `Duplicate value: ${formatValue(value)}`);
  }

  /** `Forbidden: <detail>`. */
  forbidden(field: string, detail: string): void {
    this.add('FieldValueForbidden', field, `Forbidden: ${detail}`);
  }

  /** `Not found: <value>`. */
  notFound(field: string, value: unknown): void {
    this.add('FieldValueNotFound', field, `Not found: ${formatValue(value)}`);
  }

  /** `Too long: may not be more than <max> bytes`. */
  tooLong(field: string, max: number): void {
    this.add('FieldValueTooLong', field, `Too long: may not be more than ${max} bytes`);
  }

  /** A JSON value of the wrong type: `Invalid value: "three": must be of type int32`. */
  typeInvalid(field: string, value: unknown, typeName: string): void {
    this.add(
      'FieldValueTypeInvalid',
      field,
      `Invalid value: ${formatBriefly(value)}: must be of type ${typeName}`,
    );
  }

  /** A field the schema does not know, worded as kube-apiserver's strict decoding. */
  unknownField(field: string): void {
    this.add('FieldValueInvalid', field, `unknown field ${JSON.stringify(field)}`);
  }

  /** Whether anything was reported at `path` or below it. */
  hasAt(path: string): boolean {
    return this.causes.some(
      (c) =>
        c.field !== undefined &&
        (c.field === path || c.field.startsWith(`${path}.`) || c.field.startsWith(`${path}[`)),
    );
  }

  /** True while nothing has been reported. */
  get empty(): boolean {
    return this.causes.length === 0;
  }
}
