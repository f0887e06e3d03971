/**
 * Small semantic checks shared by the kind schemas. They run on decoded objects, where a value
 * is either absent or of its declared type, so `undefined` always means "nothing to check".
 */
import type { FieldErrors } from './field-errors.js';
import { isValidPortName, isValidPortNum, regexError } from './names.js';

/** `must be greater than or equal to 0`, Kubernetes' `ValidateNonnegativeField`. */
export function nonNegative(errs: FieldErrors, path: string, value: number | undefined): void {
  if (value !== undefined && value < 0) errs.invalid(path, value, 'must be greater than or equal to 0');
}

const percentFmt = '[0-9]+%';

/**
 * Kubernetes' `ValidatePositiveIntOrPercent`: a non-negative number, or a percent string such as
 * `25%` (a deployment's maxSurge, a disruption budget's minAvailable).
 */
export function intOrPercent(errs: FieldErrors, path: string, value: number | string | undefined): void {
  if (typeof value === 'string') {
    if (!new RegExp(`^${percentFmt}$`).test(value)) {
      errs.invalid(
        path,
        value,
        regexError(
          "a valid percent string must be a numeric string followed by an ending '%'",
          percentFmt,
          '1%',
          '93%',
        ),
      );
    }
  } else {
    nonNegative(errs, path, value);
  }
}

/** Kubernetes' `IsNotMoreThan100Percent`: a percent string above `100%` is invalid. */
export function notMoreThan100Percent(
  errs: FieldErrors,
  path: string,
  value: number | string | undefined,
): void {
  if (typeof value === 'string' && /^[0-9]+%$/.test(value) && Number(value.slice(0, -1)) > 100)
    errs.invalid(path, value, 'must not be greater than 100%');
}

/** `must be greater than 0`. */
export function positive(errs: FieldErrors, path: string, value: number | undefined): void {
  if (value !== undefined && value <= 0) errs.invalid(path, value, 'must be greater than 0');
}

/** `Unsupported value` unless `value` is one of `supported` (listed in that order). */
export function oneOf(
  errs: FieldErrors,
  path: string,
  value: string | undefined,
  supported: readonly string[],
): void {
  if (value !== undefined && !supported.includes(value)) errs.notSupported(path, value, supported);
}

/** Reports each message of a name check as `Invalid value`. */
export function eachInvalid(
  errs: FieldErrors,
  path: string,
  value: unknown,
  messages: readonly string[],
): void {
  for (const message of messages) errs.invalid(path, value, message);
}

/** A port number 1–65535; `required` turns an absent or 0 port into `Required value`. */
export function portNumber(
  errs: FieldErrors,
  path: string,
  value: number | undefined,
  required: boolean,
): void {
  if (value === undefined || value === 0) {
    if (required) errs.required(path);
    else if (value === 0) eachInvalid(errs, path, value, isValidPortNum(value));
    return;
  }
  eachInvalid(errs, path, value, isValidPortNum(value));
}

/** A port given as number (1–65535) or as IANA service name, as probes and `targetPort` do. */
export function portNumberOrName(errs: FieldErrors, path: string, value: number | string | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'number') eachInvalid(errs, path, value, isValidPortNum(value));
  else eachInvalid(errs, path, value, isValidPortName(value));
}

/** Values that occur more than once, each reported at the path of its second and later use. */
export function duplicates<T>(
  errs: FieldErrors,
  items: readonly T[] | undefined,
  pathOf: (i: number) => string,
  keyOf: (item: T) => string | undefined,
  valueOf: (item: T) => unknown = keyOf,
): void {
  const seen = new Set<string>();
  items?.forEach((item, i) => {
    const k = keyOf(item);
    if (k === undefined) return;
    if (seen.has(k)) errs.duplicate(pathOf(i), valueOf(item));
    seen.add(k);
  });
}
