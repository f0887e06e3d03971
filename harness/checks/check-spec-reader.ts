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
  /** What the limit means, for the reference and the editor schema. */
  readonly description: string;
}

/** Thresholds and select as a cross-check reads them: only the keys that validated. */
export interface LooseCheckSpec {
  readonly thresholds: Readonly<Record<string, number>>;
  readonly select: Readonly<Record<string, string>>;
}

/**
 * Everything one type of check takes, declared once: the scenario decoder validates a scenario's
 * checks against it before anything boots, the editor schema and the scenario reference are
 * written from it, and the checker reads its spec with it.
 */
export interface CheckSpecShape {
  /** What the check asks, in one sentence. */
  readonly description: string;
  readonly thresholds: Readonly<Record<string, ThresholdRule>>;
  /** The select keys, each with what it narrows the check to. */
  readonly select: Readonly<Record<string, string>>;
  /** The windows it is meant for, in words. */
  readonly windows: string;
  /** What its figure is: the number it reports, and in what. */
  readonly measures: string;
  /** It measures from a fault's injection: a scenario without faults cannot have it judged. */
  readonly needsFault?: boolean;
  /** Problems that involve several keys, once each key is valid on its own. */
  readonly crossCheck?: (read: LooseCheckSpec) => readonly CheckSpecProblem[];
}

/** One problem of a check's thresholds or select, where it is in the check. */
export interface CheckSpecProblem {
  /** `['thresholds', key]`, `['select', key]`, `['thresholds']`, or `[]` for the check itself. */
  readonly path: readonly string[];
  /** The key itself is the problem (it is unknown): show it at the key, not at its value. */
  readonly atKey?: boolean;
  readonly message: string;
}

type RequiredKeys<T extends CheckSpecShape['thresholds']> = {
  [K in keyof T]: T[K]['required'] extends true ? K : never;
}[keyof T];

export type ThresholdsOf<T extends CheckSpecShape['thresholds']> = { [K in RequiredKeys<T>]: number } & {
  [K in Exclude<keyof T, RequiredKeys<T>>]?: number;
};

export type SelectOf<S extends CheckSpecShape['select']> = { [K in keyof S]?: string };

/** A check spec's thresholds and select, validated against a shape. */
export interface ReadCheckSpec<Shape extends CheckSpecShape> {
  thresholds: ThresholdsOf<Shape['thresholds']>;
  select: SelectOf<Shape['select']>;
}

/**
 * Every problem of a check's thresholds and select against its shape: an unknown key (with the
 * keys there are, and the likely one when it looks misspelt), a value of the wrong type or out of
 * range, a missing required threshold, and the shape's cross-check. Empty when the spec fits.
 */
export function checkSpecProblems(
  spec: { readonly type: string; readonly thresholds?: unknown; readonly select?: unknown },
  shape: CheckSpecShape,
): CheckSpecProblem[] {
  const problems: CheckSpecProblem[] = [];
  const thresholds: Record<string, number> = {};
  const select: Record<string, string> = {};
  const given = isRecord(spec.thresholds) ? spec.thresholds : {};
  if (spec.thresholds !== undefined && !isRecord(spec.thresholds))
    problems.push({ path: ['thresholds'], message: 'thresholds must be a map' });
  const known = Object.keys(shape.thresholds);
  /** Required thresholds that an unknown key is a likely misspelling of: that key's problem says it. */
  const misspelt = new Set<string>();
  for (const [key, value] of Object.entries(given)) {
    const rule = Object.hasOwn(shape.thresholds, key) ? shape.thresholds[key] : undefined;
    if (!rule) {
      const near = nearest(key, known);
      if (near !== undefined) misspelt.add(near);
      problems.push({
        path: ['thresholds', key],
        atKey: true,
        message: `unknown threshold "${key}" (${spec.type} takes ${keyList(known, 'no thresholds')})${didYouMean(near)}`,
      });
      continue;
    }
    const problem = valueProblem(rule.kind, value);
    if (problem)
      problems.push({
        path: ['thresholds', key],
        message: `threshold "${key}" ${problem}, got ${JSON.stringify(value)}`,
      });
    else thresholds[key] = value as number;
  }
  for (const key of known) {
    if (shape.thresholds[key]!.required && !Object.hasOwn(given, key) && !misspelt.has(key))
      problems.push({ path: ['thresholds'], message: `missing threshold "${key}" (${spec.type} needs it)` });
  }
  const selectGiven = isRecord(spec.select) ? spec.select : {};
  if (spec.select !== undefined && !isRecord(spec.select))
    problems.push({ path: ['select'], message: 'select must be a map' });
  const selectKeys = Object.keys(shape.select);
  for (const [key, value] of Object.entries(selectGiven)) {
    if (!Object.hasOwn(shape.select, key)) {
      problems.push({
        path: ['select', key],
        atKey: true,
        message: `unknown select key "${key}" (${spec.type} selects by ${keyList(selectKeys, 'nothing')})${didYouMean(nearest(key, selectKeys))}`,
      });
    } else if (typeof value !== 'string' || value === '') {
      problems.push({
        path: ['select', key],
        message: `select "${key}" must be a non-empty string, got ${JSON.stringify(value)}`,
      });
    } else {
      select[key] = value;
    }
  }
  if (problems.length === 0 && shape.crossCheck) problems.push(...shape.crossCheck({ thresholds, select }));
  return problems;
}

/**
 * Reads a check's thresholds and select strictly (see `checkSpecProblems`). Throws one CheckError
 * (InvalidCheckSpec) listing every problem.
 */
export function readCheckSpec<const Shape extends CheckSpecShape>(
  spec: CheckSpec,
  shape: Shape,
): ReadCheckSpec<Shape> {
  const problems = checkSpecProblems(spec, shape).map((p) => p.message);
  if (problems.length > 0) {
    throw new CheckError(
      'InvalidCheckSpec',
      `Check "${spec.name}" (${spec.type}) is invalid: ${problems.join('; ')}.`,
      problems,
    );
  }
  return {
    thresholds: { ...(spec.thresholds ?? {}) },
    select: { ...(spec.select ?? {}) },
  } as ReadCheckSpec<Shape>;
}

/** The values a threshold of this kind accepts, in words (for the reference). */
export function thresholdKindWords(kind: ThresholdKind): string {
  switch (kind) {
    case 'ratio':
      return 'a ratio from 0 to 1 (0.99 means 99%)';
    case 'ms':
      return 'milliseconds, 0 or more';
    case 'count':
      return 'a whole number, 0 or more';
  }
}

function valueProblem(kind: ThresholdKind, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return kind === 'ms' ? 'must be a number of milliseconds (5000, not "5s")' : 'must be a number';
  switch (kind) {
    case 'ratio':
      return value < 0 || value > 1 ? 'must be a ratio between 0 and 1 (0.99 means 99%)' : undefined;
    case 'ms':
      return value < 0 ? 'must be a duration in milliseconds, 0 or more' : undefined;
    case 'count':
      return value < 0 || !Number.isInteger(value) ? 'must be a whole number, 0 or more' : undefined;
  }
}

/** The one known key that `key` is a likely misspelling of, if there is one. */
function nearest(key: string, known: readonly string[]): string | undefined {
  // Two edits away is a misspelling of a long name, but most of a short one.
  const limit = key.length >= 8 ? 2 : 1;
  const near = known.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= limit);
  return near.length === 1 ? near[0] : undefined;
}

function didYouMean(near: string | undefined): string {
  return near === undefined ? '' : `; did you mean "${near}"?`;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[b.length]!;
}

function keyList(keys: readonly string[], none: string): string {
  return keys.length > 0 ? keys.join(', ') : none;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
