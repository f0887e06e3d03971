/**
 * Label selectors as `k8s.io/apimachinery/pkg/labels` implements them: the string syntax of
 * `?labelSelector=` and `kubectl -l`, the structured `metav1.LabelSelector` of specs, one
 * matcher for both, and the canonical string form that kubectl prints.
 */
import { errors } from '../errors.js';
import { isQualifiedName, isValidLabelValue } from '../schemas/names.js';
import type { LabelSelector } from '../types.js';

/** Operators of a parsed requirement, spelled as Kubernetes' `selection.Operator`. */
export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** One `key <op> values` term; `values` is sorted and free of duplicates. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A compiled label selector. */
export interface LabelSelectorMatcher {
  /** The terms, sorted by key; all must hold for a match. */
  readonly requirements: readonly LabelRequirement[];
  /** True for the selector with no terms, which matches every object. */
  readonly matchesEverything: boolean;
  /** True for the selector built from a `null` LabelSelector, which matches no object. */
  readonly matchesNothing: boolean;
  /** Whether an object with these labels is selected; absent labels are an empty set. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** The canonical string form, `''` for both "everything" and "nothing" as in Kubernetes. */
  toString(): string;
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value as string);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[-+]?\d+$/.test(value as string)) return false;
      const actual = BigInt(value as string);
      const bound = BigInt(r.values[0] as string);
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function requirementToString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values.join(',')}`;
    case 'lt':
      return `${r.key}<${r.values.join(',')}`;
    default:
      return `${r.key}${r.operator}${r.values.join(',')}`;
  }
}

class Selector implements LabelSelectorMatcher {
  readonly requirements: readonly LabelRequirement[];

  constructor(
    requirements: LabelRequirement[],
    readonly matchesNothing = false,
  ) {
    // Stable sort by key only, as Kubernetes' `ByKey`, so equal selectors print equally.
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  get matchesEverything(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    if (this.matchesNothing) return false;
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }

  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

/** The selector that matches every object. */
export const EVERYTHING: LabelSelectorMatcher = new Selector([]);
/** The selector that matches no object. */
export const NOTHING: LabelSelectorMatcher = new Selector([], true);

/**
 * Kubernetes' `NewRequirement` checks; returns the problems worded as `field.Error`s whose
 * paths (`key`, `values[0]`) are relative to the requirement.
 */
function requirementProblems(key: string, operator: SelectorOperator, values: readonly string[]): string[] {
  const problems: string[] = [];
  const keyErrors = isQualifiedName(key);
  if (keyErrors.length > 0)
    problems.push(`key: Invalid value: ${JSON.stringify(key)}: ${keyErrors.join('; ')}`);
  const listed = JSON.stringify(values);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) {
        problems.push(
          `values: Invalid value: ${listed}: for 'in', 'notin' operators, values set can't be empty`,
        );
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) {
        problems.push(
          `values: Invalid value: ${listed}: exact-match compatibility requires one single value`,
        );
      }
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) {
        problems.push(
          `values: Invalid value: ${listed}: values set must be empty for exists and does not exist`,
        );
      }
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) {
        problems.push(
          `values: Invalid value: ${listed}: for 'Gt', 'Lt' operators, exactly one value is required`,
        );
      }
      values.forEach((v, i) => {
        if (!/^[-+]?\d+$/.test(v)) {
          problems.push(
            `values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        }
      });
      break;
  }
  values.forEach((v, i) => {
    for (const msg of isValidLabelValue(v)) {
      problems.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${msg}`);
    }
  });
  return problems;
}

function newRequirement(
  key: string,
  operator: SelectorOperator,
  values: readonly string[],
): LabelRequirement {
  const problems = requirementProblems(key, operator, values);
  if (problems.length > 0) throw new SyntaxError(problems.join(', '));
  return { key, operator, values: [...new Set(values)].sort() };
}

// ---- the string syntax: a port of Kubernetes' lexer and recursive-descent parser ----

type Token =
  'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';

const keywords: Readonly<Record<string, Token>> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string) => '=!(),><'.includes(ch);

interface Scanned {
  tok: Token;
  lit: string;
}

function lex(text: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isWhitespace(text[pos] as string)) pos++;
    if (pos >= text.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    if (isSpecialSymbol(text[pos] as string)) {
      // Longest run of symbols that is still a keyword, as Kubernetes' `scanSpecialSymbol`.
      let buffer = '';
      let last: Scanned | undefined;
      while (pos < text.length && isSpecialSymbol(text[pos] as string)) {
        buffer += text[pos];
        const tok = Object.hasOwn(keywords, buffer) ? keywords[buffer] : undefined;
        if (tok) {
          last = { tok, lit: buffer };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
    } else {
      let buffer = '';
      while (
        pos < text.length &&
        !isSpecialSymbol(text[pos] as string) &&
        !isWhitespace(text[pos] as string)
      ) {
        buffer += text[pos++];
      }
      const tok = Object.hasOwn(keywords, buffer) ? keywords[buffer] : undefined;
      out.push({ tok: tok ?? 'identifier', lit: buffer });
    }
  }
}

// In value position `in` and `notin` are ordinary words: `a in (in, notin)` is legal.
type Context = 'keyAndOperator' | 'values';

class Parser {
  private position = 0;

  constructor(private readonly items: Scanned[]) {}

  private lookahead(context: Context): Scanned {
    const item = this.items[Math.min(this.position, this.items.length - 1)] as Scanned;
    return context === 'values' && (item.tok === 'in' || item.tok === 'notin')
      ? { tok: 'identifier', lit: item.lit }
      : item;
  }

  private consume(context: Context): Scanned {
    const item = this.lookahead(context);
    if (this.position < this.items.length - 1) this.position++;
    return item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead('values');
      switch (tok) {
        case 'identifier':
        case '!': {
          try {
            requirements.push(this.parseRequirement());
          } catch (e) {
            if (e instanceof SyntaxError) throw new SyntaxError(`unable to parse requirement: ${e.message}`);
            throw e;
          }
          const next = this.consume('values');
          if (next.tok === 'end') return requirements;
          if (next.tok === ',') {
            const after = this.lookahead('values');
            if (after.tok !== 'identifier' && after.tok !== '!') {
              throw new SyntaxError(`found '${after.lit}', expected: identifier after ','`);
            }
            break;
          }
          throw new SyntaxError(`found '${next.lit}', expected: ',' or 'end of string'`);
        }
        case 'end':
          return requirements;
        default:
          throw new SyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    let operator: SelectorOperator | undefined;
    let { tok, lit } = this.consume('values');
    if (tok === '!') {
      operator = '!';
      ({ tok, lit } = this.consume('values'));
    }
    if (tok !== 'identifier') throw new SyntaxError(`found '${lit}', expected: identifier`);
    const key = lit;
    const next = this.lookahead('values').tok;
    if (operator === '!' || next === 'end' || next === ',') {
      return newRequirement(key, operator ?? 'exists', []);
    }
    operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, values);
  }

  private parseOperator(): SelectorOperator {
    const { tok, lit } = this.consume('keyAndOperator');
    switch (tok) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return tok;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new SyntaxError(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume('values');
    if (open.tok !== '(') throw new SyntaxError(`found '${open.lit}', expected: '('`);
    const { tok, lit } = this.lookahead('values');
    switch (tok) {
      case 'identifier':
      case ',': {
        const values = this.parseIdentifiersList();
        const close = this.consume('values');
        if (close.tok !== ')') throw new SyntaxError(`found '${close.lit}', expected: ')'`);
        return values;
      }
      case ')':
        this.consume('values');
        return [''];
      default:
        throw new SyntaxError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  // Empty items between commas are empty-string values, as in Kubernetes: `a in (,x)`.
  private parseIdentifiersList(): string[] {
    const values: string[] = [];
    for (;;) {
      const { tok, lit } = this.consume('values');
      if (tok === 'identifier') {
        values.push(lit);
        const next = this.lookahead('values');
        if (next.tok === ',') continue;
        if (next.tok === ')') return values;
        throw new SyntaxError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        if (values.length === 0) values.push('');
        const next = this.lookahead('values');
        if (next.tok === ')') {
          values.push('');
          return values;
        }
        if (next.tok === ',') {
          this.consume('values');
          values.push('');
        }
        continue;
      }
      throw new SyntaxError(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead('values');
    if (next.tok === 'end' || next.tok === ',') return [''];
    const { tok, lit } = this.consume('values');
    if (tok === 'identifier') return [lit];
    throw new SyntaxError(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses the string syntax (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * `a>1`, `a<1`, joined by commas). The empty string selects everything.
 * @throws ApiError BadRequest naming the problem, worded as Kubernetes' parser.
 */
export function parseLabelSelector(text: string): LabelSelectorMatcher {
  return asBadRequest(() => new Selector(new Parser(lex(text)).parse()));
}

// Parsing reports problems as SyntaxError internally; callers only ever see the ApiError.
function asBadRequest<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof SyntaxError) throw errors.badRequest(e.message);
    throw e;
  }
}

const structuredOperators: Readonly<Record<string, SelectorOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Compiles a structured selector as `metav1.LabelSelectorAsSelector`: `null`/`undefined`
 * matches nothing, `{}` matches everything, `matchLabels` and `matchExpressions` are ANDed.
 * @throws ApiError BadRequest for an unknown operator or an invalid key or value.
 */
export function labelSelectorFromObject(sel: LabelSelector | null | undefined): LabelSelectorMatcher {
  if (sel === null || sel === undefined) return NOTHING;
  const requirements: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    requirements.push(asBadRequest(() => newRequirement(k, '=', [v])));
  }
  for (const expr of sel.matchExpressions ?? []) {
    const operator = Object.hasOwn(structuredOperators, expr.operator)
      ? structuredOperators[expr.operator]
      : undefined;
    if (!operator)
      throw errors.badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(asBadRequest(() => newRequirement(expr.key, operator, expr.values ?? [])));
  }
  return new Selector(requirements);
}

/**
 * The canonical string of a structured selector, as `metav1.FormatLabelSelector` (what
 * `kubectl get -o wide` shows): `<none>` when it selects everything or nothing, `<error>`
 * when it is invalid.
 */
export function selectorToString(sel: LabelSelector | null | undefined): string {
  let text: string;
  try {
    text = labelSelectorFromObject(sel).toString();
  } catch {
    return '<error>';
  }
  return text.length === 0 ? '<none>' : text;
}
