import type { CheckSpec, History } from '../history/history.js';
import { CheckError } from './check-error.js';
import { checkerCatalogue } from './checker-catalogue.js';
import type { Checker } from './checker.js';
import type { Evidence, Verdict } from './verdict.js';
import { windowPhrase } from './window-phrase.js';
import { windowSpan, type WindowSpan } from './window-span.js';

/**
 * Judges a history: one verdict per check, in the checks' order. `checks` default to those the
 * scenario declared (`history.metadata.checks`), so a stored history can be re-judged alone.
 *
 * Never throws for a check: a check whose spec is invalid, whose window cannot be resolved, whose
 * type has no checker, or whose checker throws gives an `unknown` verdict whose evidence says why.
 */
export function judge(history: History, checks: readonly CheckSpec[] = history.metadata.checks): Verdict[] {
  return checks.map((spec) => judgeCheck(history, spec, checkerCatalogue));
}

/** One check's verdict, with the checkers to use (a test may give its own). */
export function judgeCheck(
  history: History,
  spec: CheckSpec,
  checkers: Readonly<Record<string, Checker<unknown>>>,
): Verdict {
  const checker = Object.hasOwn(checkers, spec.type) ? checkers[spec.type] : undefined;
  const base = { check: spec.name, type: spec.type, window: spec.window };
  if (!checker) {
    const known = Object.keys(checkers).join(', ');
    return unknown(base, rawThreshold(spec), '', undefined, [
      new CheckError(
        'UnknownCheckType',
        `There is no checker for the check type "${spec.type}" (known: ${known}).`,
      ),
    ]);
  }
  // Spec and window are both looked at before giving up, so every problem is reported together.
  const problems: unknown[] = [];
  let options: unknown;
  let threshold = rawThreshold(spec);
  try {
    options = checker.options(spec);
    threshold = checker.threshold(options);
  } catch (error) {
    problems.push(error);
  }
  let resolved: WindowSpan | undefined;
  try {
    resolved = windowSpan(history, spec.window);
  } catch (error) {
    problems.push(error);
  }
  if (problems.length > 0 || !resolved) return unknown(base, threshold, checker.unit, resolved, problems);
  try {
    const context = {
      history,
      window: spec.window,
      span: resolved.span,
      windowPhrase: windowPhrase(history, spec.window),
    };
    const judgement = checker.check(context, options);
    return {
      ...base,
      span: resolved.span,
      threshold,
      unit: checker.unit,
      ...judgement,
      evidence: [...resolved.notes, ...judgement.evidence],
    };
  } catch (error) {
    return unknown(base, threshold, checker.unit, resolved, [error]);
  }
}

function unknown(
  base: Pick<Verdict, 'check' | 'type' | 'window'>,
  threshold: string,
  unit: string,
  resolved: WindowSpan | undefined,
  errors: readonly unknown[],
): Verdict {
  const evidence: Evidence[] = [...(resolved?.notes ?? []), ...errors.map((e) => ({ message: describe(e) }))];
  const first = errors[0];
  const summary =
    first instanceof CheckError
      ? `This check could not be judged: ${uncapitalize(first.message)}`
      : 'This check could not be judged: its checker failed.';
  return {
    ...base,
    ...(resolved ? { span: resolved.span } : {}),
    threshold,
    measured: null,
    unit,
    outcome: 'unknown',
    summary,
    evidence,
  };
}

/** An error as a person reads it: a CheckError's message, or what a checker's bug said. */
function describe(error: unknown): string {
  if (error instanceof CheckError) return error.message;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `The checker failed (a bug in crucible, or a history it cannot read): ${message}`;
}

/** The thresholds as declared, for a check whose checker could not put them in words. */
function rawThreshold(spec: CheckSpec): string {
  const entries = Object.entries(spec.thresholds ?? {});
  return entries.length > 0 ? entries.map(([k, v]) => `${k} ${String(v)}`).join(', ') : 'none';
}

function uncapitalize(sentence: string): string {
  return /^[A-Z][a-z]/.test(sentence) ? sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence;
}
