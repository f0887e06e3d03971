/**
 * Reads a request body the way Go's `json.NewDecoder(body).Decode(&v)` does, so that the bundled
 * server accepts what toxiproxy-server accepts and its errors read the same:
 * - only the first JSON value counts; anything after it is ignored;
 * - syntax errors are Go's ("invalid character 'o' in literal null (expecting 'u')"), an empty body
 *   is "EOF" and a truncated one "unexpected EOF";
 * - numbers keep their literal text, because Go decides per target type whether `1.0` is valid.
 * The syntax check is a port of encoding/json's scanner state machine; values are built in a
 * second pass over the bytes the scanner accepted.
 */

export type GoJsonValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'number'; readonly literal: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly GoJsonValue[] }
  /** Members in document order, duplicates kept: Go applies them one after the other. */
  | { readonly kind: 'object'; readonly members: readonly (readonly [string, GoJsonValue])[] };

/** A body that is not one complete JSON value; the message is Go's. */
export class GoJsonSyntaxError extends Error {
  readonly code = 'GoJsonSyntaxError';
  constructor(message: string) {
    super(message);
    this.name = 'GoJsonSyntaxError';
  }
}

/** The first JSON value of `body`, or a GoJsonSyntaxError worded as Go's decoder words it. */
export function readGoJsonValue(body: Uint8Array): GoJsonValue {
  return buildValue(body, scanFirstValue(body));
}

// ---- pass 1: Go's scanner (encoding/json/scanner.go) ----

const enum Op {
  Continue,
  SkipSpace,
  EndObject,
  EndArray,
  End,
  Error,
}

const enum Parse {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

type Step = (s: Scanner, c: number) => Op;

// Go's limit, so a hostile body cannot exhaust the stack of whoever walks the value.
const maxNestingDepth = 10000;

class Scanner {
  step: Step = stateBeginValue;
  readonly parseState: Parse[] = [];
  error = '';

  fail(c: number, context: string): Op {
    this.step = stateError;
    this.error = `invalid character ${quoteChar(c)} ${context}`;
    return Op.Error;
  }

  push(c: number, state: Parse): Op {
    this.parseState.push(state);
    return this.parseState.length <= maxNestingDepth ? Op.Continue : this.fail(c, 'exceeded max depth');
  }

  pop(): void {
    this.parseState.pop();
    this.step = this.parseState.length === 0 ? stateEndTop : stateEndValue;
  }
}

/** The offset just past the first value, as json.Decoder.readValue finds it. */
function scanFirstValue(bytes: Uint8Array): number {
  const s = new Scanner();
  for (let i = 0; i < bytes.length; i++) {
    const op = s.step(s, bytes[i]!);
    // The end of a scalar is only seen on the byte after it.
    if (op === Op.End) return i;
    if ((op === Op.EndObject || op === Op.EndArray) && stateEndValue(s, 0x20) === Op.End) return i + 1;
    if (op === Op.Error) throw new GoJsonSyntaxError(s.error);
  }
  if (s.step(s, 0x20) === Op.End) return bytes.length;
  throw new GoJsonSyntaxError(bytes.some((c) => !isSpace(c)) ? 'unexpected EOF' : 'EOF');
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

function stateBeginValueOrEmpty(s: Scanner, c: number): Op {
  if (isSpace(c)) return Op.SkipSpace;
  if (c === 0x5d) return stateEndValue(s, c);
  return stateBeginValue(s, c);
}

function stateBeginValue(s: Scanner, c: number): Op {
  if (isSpace(c)) return Op.SkipSpace;
  switch (c) {
    case 0x7b: // {
      s.step = stateBeginStringOrEmpty;
      return s.push(c, Parse.ObjectKey);
    case 0x5b: // [
      s.step = stateBeginValueOrEmpty;
      return s.push(c, Parse.ArrayValue);
    case 0x22: // "
      s.step = stateInString;
      return Op.Continue;
    case 0x2d: // -
      s.step = stateNeg;
      return Op.Continue;
    case 0x30: // 0
      s.step = state0;
      return Op.Continue;
    case 0x74: // t
      s.step = literal('true', 1, 'true');
      return Op.Continue;
    case 0x66: // f
      s.step = literal('false', 1, 'false');
      return Op.Continue;
    case 0x6e: // n
      s.step = literal('null', 1, 'null');
      return Op.Continue;
  }
  if (c >= 0x31 && c <= 0x39) {
    s.step = state1;
    return Op.Continue;
  }
  return s.fail(c, 'looking for beginning of value');
}

function stateBeginStringOrEmpty(s: Scanner, c: number): Op {
  if (isSpace(c)) return Op.SkipSpace;
  if (c === 0x7d) {
    s.parseState[s.parseState.length - 1] = Parse.ObjectValue;
    return stateEndValue(s, c);
  }
  return stateBeginString(s, c);
}

function stateBeginString(s: Scanner, c: number): Op {
  if (isSpace(c)) return Op.SkipSpace;
  if (c === 0x22) {
    s.step = stateInString;
    return Op.Continue;
  }
  return s.fail(c, 'looking for beginning of object key string');
}

function stateEndValue(s: Scanner, c: number): Op {
  const n = s.parseState.length;
  if (n === 0) {
    s.step = stateEndTop;
    return stateEndTop(s, c);
  }
  if (isSpace(c)) {
    s.step = stateEndValue;
    return Op.SkipSpace;
  }
  switch (s.parseState[n - 1]) {
    case Parse.ObjectKey:
      if (c === 0x3a) {
        s.parseState[n - 1] = Parse.ObjectValue;
        s.step = stateBeginValue;
        return Op.Continue;
      }
      return s.fail(c, 'after object key');
    case Parse.ObjectValue:
      if (c === 0x2c) {
        s.parseState[n - 1] = Parse.ObjectKey;
        s.step = stateBeginString;
        return Op.Continue;
      }
      if (c === 0x7d) {
        s.pop();
        return Op.EndObject;
      }
      return s.fail(c, 'after object key:value pair');
    default:
      if (c === 0x2c) {
        s.step = stateBeginValue;
        return Op.Continue;
      }
      if (c === 0x5d) {
        s.pop();
        return Op.EndArray;
      }
      return s.fail(c, 'after array element');
  }
}

// Go complains about a non-space byte after the top-level value only on the next call, which a
// Decoder never makes: trailing bytes are ignored.
function stateEndTop(_s: Scanner, _c: number): Op {
  return Op.End;
}

function stateInString(s: Scanner, c: number): Op {
  if (c === 0x22) {
    s.step = stateEndValue;
    return Op.Continue;
  }
  if (c === 0x5c) {
    s.step = stateInStringEsc;
    return Op.Continue;
  }
  if (c < 0x20) return s.fail(c, 'in string literal');
  return Op.Continue;
}

function stateInStringEsc(s: Scanner, c: number): Op {
  if ('bfnrt\\/"'.includes(String.fromCharCode(c))) {
    s.step = stateInString;
    return Op.Continue;
  }
  if (c === 0x75) {
    s.step = hexEscape(4);
    return Op.Continue;
  }
  return s.fail(c, 'in string escape code');
}

function hexEscape(remaining: number): Step {
  return (s, c) => {
    if (!isHex(c)) return s.fail(c, 'in \\u hexadecimal character escape');
    s.step = remaining === 1 ? stateInString : hexEscape(remaining - 1);
    return Op.Continue;
  };
}

function stateNeg(s: Scanner, c: number): Op {
  if (c === 0x30) {
    s.step = state0;
    return Op.Continue;
  }
  if (c >= 0x31 && c <= 0x39) {
    s.step = state1;
    return Op.Continue;
  }
  return s.fail(c, 'in numeric literal');
}

function state1(s: Scanner, c: number): Op {
  if (isDigit(c)) return Op.Continue;
  return state0(s, c);
}

function state0(s: Scanner, c: number): Op {
  if (c === 0x2e) {
    s.step = stateDot;
    return Op.Continue;
  }
  if (c === 0x65 || c === 0x45) {
    s.step = stateE;
    return Op.Continue;
  }
  return stateEndValue(s, c);
}

function stateDot(s: Scanner, c: number): Op {
  if (isDigit(c)) {
    s.step = stateDot0;
    return Op.Continue;
  }
  return s.fail(c, 'after decimal point in numeric literal');
}

function stateDot0(s: Scanner, c: number): Op {
  if (isDigit(c)) return Op.Continue;
  if (c === 0x65 || c === 0x45) {
    s.step = stateE;
    return Op.Continue;
  }
  return stateEndValue(s, c);
}

function stateE(s: Scanner, c: number): Op {
  if (c === 0x2b || c === 0x2d) {
    s.step = stateESign;
    return Op.Continue;
  }
  return stateESign(s, c);
}

function stateESign(s: Scanner, c: number): Op {
  if (isDigit(c)) {
    s.step = stateE0;
    return Op.Continue;
  }
  return s.fail(c, 'in exponent of numeric literal');
}

function stateE0(s: Scanner, c: number): Op {
  if (isDigit(c)) return Op.Continue;
  return stateEndValue(s, c);
}

/** Matches the rest of `word` from index `at`; Go's stateT, stateTr, stateTru and friends. */
function literal(word: string, at: number, name: string): Step {
  return (s, c) => {
    const expected = word.charCodeAt(at);
    if (c !== expected) return s.fail(c, `in literal ${name} (expecting ${quoteChar(expected)})`);
    s.step = at + 1 === word.length ? stateEndValue : literal(word, at + 1, name);
    return Op.Continue;
  };
}

function stateError(): Op {
  return Op.Error;
}

/** Go's quoteChar: a byte as it appears in a syntax error, e.g. 'o', '\'', '\n', '\x00', 'Ã'. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = {
    7: 'a',
    8: 'b',
    9: 't',
    10: 'n',
    11: 'v',
    12: 'f',
    13: 'r',
    92: '\\',
  };
  if (named[c] !== undefined) return `'\\${named[c]}'`;
  const hex = c.toString(16).padStart(2, '0');
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`;
  // Go turns the byte into the rune U+00XX and quotes it; the unprintable ones are escaped.
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u00${hex}'`;
  return `'${String.fromCharCode(c)}'`;
}

// ---- pass 2: build the value from bytes the scanner accepted ----

type Container =
  | { kind: 'array'; items: GoJsonValue[] }
  | { kind: 'object'; members: [string, GoJsonValue][]; key: string | undefined };

function buildValue(bytes: Uint8Array, end: number): GoJsonValue {
  const stack: Container[] = [];
  let pos = 0;
  let result: GoJsonValue | undefined;
  const attach = (value: GoJsonValue) => {
    const top = stack.at(-1);
    if (!top) result = value;
    else if (top.kind === 'array') top.items.push(value);
    else {
      top.members.push([top.key!, value]);
      top.key = undefined;
    }
  };
  // The input is valid JSON, so a flat token loop with a stack of open containers suffices.
  while (pos < end) {
    const c = bytes[pos]!;
    if (isSpace(c) || c === 0x2c || c === 0x3a) {
      pos++;
    } else if (c === 0x7b) {
      stack.push({ kind: 'object', members: [], key: undefined });
      pos++;
    } else if (c === 0x5b) {
      stack.push({ kind: 'array', items: [] });
      pos++;
    } else if (c === 0x7d || c === 0x5d) {
      const done = stack.pop()!;
      attach(done.kind === 'array' ? done : { kind: 'object', members: done.members });
      pos++;
    } else if (c === 0x22) {
      const [value, next] = readString(bytes, pos + 1);
      pos = next;
      const top = stack.at(-1);
      if (top?.kind === 'object' && top.key === undefined) top.key = value;
      else attach({ kind: 'string', value });
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      attach(c === 0x6e ? { kind: 'null' } : { kind: 'bool', value: c === 0x74 });
      pos += c === 0x66 ? 5 : 4;
    } else {
      const start = pos;
      while (pos < end && /[-+.eE0-9]/.test(String.fromCharCode(bytes[pos]!))) pos++;
      attach({ kind: 'number', literal: Buffer.from(bytes.subarray(start, pos)).toString('latin1') });
    }
    if (result !== undefined && stack.length === 0) return result;
  }
  return result!;
}

/** Decodes a string whose opening quote is before `pos`; returns it and the offset past the closing quote. */
function readString(bytes: Uint8Array, pos: number): [string, number] {
  const out: number[] = [];
  const pushRune = (rune: number) => out.push(...Buffer.from(String.fromCodePoint(rune), 'utf8'));
  for (;;) {
    const c = bytes[pos]!;
    if (c === 0x22) break;
    if (c !== 0x5c) {
      out.push(c);
      pos++;
      continue;
    }
    const e = bytes[pos + 1]!;
    if (e !== 0x75) {
      const simple: Record<number, number> = { 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };
      out.push(simple[e] ?? e);
      pos += 2;
      continue;
    }
    const unit = parseInt(Buffer.from(bytes.subarray(pos + 2, pos + 6)).toString('latin1'), 16);
    pos += 6;
    if (unit < 0xd800 || unit > 0xdfff) {
      pushRune(unit);
      continue;
    }
    // Go pairs a surrogate with a following \u escape when they form a valid pair; otherwise U+FFFD.
    const low =
      bytes[pos] === 0x5c && bytes[pos + 1] === 0x75
        ? parseInt(Buffer.from(bytes.subarray(pos + 2, pos + 6)).toString('latin1'), 16)
        : -1;
    if (unit < 0xdc00 && low >= 0xdc00 && low <= 0xdfff) {
      pushRune(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
      pos += 6;
    } else pushRune(0xfffd);
  }
  // Invalid UTF-8 becomes U+FFFD, as Go's unquote does.
  return [Buffer.from(out).toString('utf8'), pos + 1];
}
