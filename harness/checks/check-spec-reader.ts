import type { CheckSpec } from '../history/history.js';
import { CheckError } from './check-error.js';

/**
 * What a threshold measures, which fixes the values it accepts: `ratio` 0..1 (0.99 is 99%),
 * `ms` a duration ≥ 0 in milliseconds, `count` a whole number ≥ 0.
 */
export type ThresholdKind = 'ratio' | 'ms' | 'count';

export interface ThresholdRule {
  readonly kind: ThresholdKind;
  readonly required: boolean;
}

/** The threshold and select keys one type of check takes. */
export interface CheckSpecShape {
  readonly thresholds: Readonly<Record<string, ThresholdRule>>;
  readonly select: readonly string[];
}

type RequiredKeys<T extends CheckSpecShape['thresholds']> = {
  [K in keyof T]: T[K]['required'] extends true ? K : never;
}[keyof T];

export type ThresholdsOf<T extends CheckSpecShape['thresholds']> = { [K in RequiredKeys<T>]: number } & {
  [K in Exclude<keyof T, RequiredKeys<T>>]?: number;
};

export type SelectOf<S extends readonly string[]> = { [K in S[number]]?: string };

/** A check spec's thresholds and select, validated against a shape. */
export interface ReadCheckSpec<Shape extends CheckSpecShape> {
  thresholds: ThresholdsOf<Shape['thresholds']>;
  select: SelectOf<Shape['select']>;
}

/**
 * Reads a check's thresholds and select strictly: an unknown key, a missing required threshold,
 * a value of the wrong kind are each a problem; `crossCheck` adds problems that involve several
 * keys. Throws one CheckError (InvalidCheckSpec) listing every problem.
 */
export function readCheckSpec<const Shape extends CheckSpecShape>(
  spec: CheckSpec,
  shape: Shape,
  crossCheck?: (read: ReadCheckSpec<Shape>) => string[],
): ReadCheckSpec<Shape> {
  const problems: string[] = [];
  const thresholds: Record<string, number> = {};
  const select: Record<string, string> = {};
  const given = isRecord(spec.thresholds) ? spec.thresholds : {};
  if (spec.thresholds !== undefined && !isRecord(spec.thresholds)) problems.push('thresholds must be a map');
  const known = Object.keys(shape.thresholds);
  for (const [key, value] of Object.entries(given)) {
    const rule = Object.hasOwn(shape.thresholds, key) ? shape.thresholds[key] : undefined;
    if (!rule) {
      problems.push(`unknown threshold "${key}" (${spec.type} takes ${keyList(known, 'no thresholds')})`);
      continue;
    }
    const problem = valueProblem(rule.kind, value);
    if (problem) problems.push(`threshold "${key}" ${problem}, got ${JSON.stringify(value)}`);
    else thresholds[key] = value as number;
  }
  for (const key of known) {
    if (shape.thresholds[key]!.required && !Object.hasOwn(given, key))
      problems.push(`missing threshold "${key}"`);
  }
  const selectGiven = isRecord(spec.select) ? spec.select : {};
  if (spec.select !== undefined && !isRecord(spec.select)) problems.push('select must be a map');
  for (const [key, value] of Object.entries(selectGiven)) {
    if (!shape.select.includes(key)) {
      problems.push(
        `unknown select key "${key}" (${spec.type} selects by ${keyList(shape.select, 'nothing')})`,
      );
    } else if (typeof value !== 'string' || value === '') {
      problems.push(`select "${key}" must be a non-empty string, got ${JSON.stringify(value)}`);
    } else {
      select[key] = value;
    }
  }
  const read = { thresholds, select } as ReadCheckSpec<Shape>;
  problems.push(...(crossCheck?.(read) ?? []));
  if (problems.length > 0) {
    throw new CheckError(
      'InvalidCheckSpec',
      `Check "${spec.name}" (${spec.type}) is invalid: ${problems.join('; ')}.`,
      problems,
    );
  }
  return read;
}

function valueProblem(kind: ThresholdKind, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
  switch (kind) {
    case 'ratio':
      return value < 0 || value > 1 ? 'must be a ratio between 0 and 1 (0.99 means 99%)' : undefined;
    case 'ms':
      return value < 0 ? 'must be a duration in milliseconds, 0 or more' : undefined;
    case 'count':
      return value < 0 || !Number.isInteger(value) ? 'must be a whole number, 0 or more' : undefined;
  }
}

function keyList(keys: readonly string[], none: string): string {
  return keys.length > 0 ? keys.join(', ') : none;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
