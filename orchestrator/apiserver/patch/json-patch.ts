import { ApiError, errors } from '../../api/errors.js';
import { cloneJson, hasOwn, isJsonObject, jsonEqual, setOwn, type JsonObject } from './json-value.js';

/** The operations of RFC 6902. */
export type JsonPatchOp = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';

const OPS: ReadonlySet<string> = new Set<JsonPatchOp>(['add', 'remove', 'replace', 'move', 'copy', 'test']);

// kube-apiserver's wording for a JSON patch that decodes but cannot be applied (HTTP 422).
const REJECTED = 'the server rejected our request due to an error in our request';

/**
 * Applies a JSON patch (RFC 6902, `application/json-patch+json`) to `target` and returns the
 * patched copy; neither input is mutated.
 *
 * The patch is all or nothing. A body that is not an array of objects is a `BadRequest` (400),
 * as kube-apiserver answers when it cannot decode the patch; an operation that cannot be
 * applied (unknown `op`, missing member, bad pointer, absent target, failed `test`) is an
 * `Invalid` (422) whose message and single cause name the operation's index and path.
 */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) {
    throw errors.badRequest(`a JSON patch must be a JSON array of operations, not ${describe(operations)}`);
  }
  operations.forEach((op, index) => {
    if (!isJsonObject(op)) {
      throw errors.badRequest(`JSON patch operation ${index} is ${describe(op)}, not an object`);
    }
  });
  let doc = cloneJson(target);
  (operations as JsonObject[]).forEach((op, index) => {
    doc = applyOperation(doc, op, index);
  });
  return doc;
}

function applyOperation(doc: unknown, op: JsonObject, index: number): unknown {
  const name = op.op;
  const where = typeof op.path === 'string' ? ` at "${op.path}"` : '';
  const fail = (why: string): never => {
    const message = `json patch operation ${index} (${typeof name === 'string' ? name : '?'}${where}): ${why}`;
    throw new ApiError('Invalid', `${REJECTED}: ${message}`, {
      causes: [{ reason: 'FieldValueInvalid', message }],
    });
  };
  if (typeof name !== 'string' || !OPS.has(name)) {
    return fail(name === undefined ? 'missing "op" member' : `unknown op ${JSON.stringify(name)}`);
  }
  if (typeof op.path !== 'string') return fail('missing or non-string "path" member');
  const path = parsePointer(op.path, fail);
  const value = (): unknown => (hasOwn(op, 'value') ? cloneJson(op.value) : fail('missing "value" member'));
  const from = (): string[] =>
    typeof op.from === 'string' ? parsePointer(op.from, fail) : fail('missing "from" member');

  switch (name as JsonPatchOp) {
    case 'add':
      return add(doc, path, value(), fail);
    case 'remove':
      return remove(doc, path, fail).doc;
    case 'replace':
      return replace(doc, path, value(), fail);
    case 'move': {
      const source = from();
      if (source.length < path.length && source.every((s, i) => s === path[i])) {
        return fail(`cannot move "${op.from as string}" into one of its own children`);
      }
      const removed = remove(doc, source, fail);
      return add(removed.doc, path, removed.value, fail);
    }
    case 'copy':
      return add(doc, path, cloneJson(get(doc, from(), fail)), fail);
    case 'test': {
      const expected = value();
      const actual = get(doc, path, fail);
      if (!jsonEqual(actual, expected)) {
        return fail(`test failed: the value is ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`);
      }
      return doc;
    }
  }
}

type Fail = (why: string) => never;

/** Splits an RFC 6901 pointer into unescaped reference tokens. */
function parsePointer(pointer: string, fail: Fail): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return fail(`JSON pointer "${pointer}" must be empty or start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) return fail(`JSON pointer "${pointer}" has an invalid "~" escape`);
      // ~1 first, then ~0, so that "~01" reads as "~1" and not as "/" (RFC 6901 section 4).
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function pointerOf(tokens: readonly string[]): string {
  return tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function arrayIndex(token: string, length: number, allowEnd: boolean, at: string, fail: Fail): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return fail(`"${token}" is not an array index at "${at}"`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) return fail(`index ${i} is out of bounds at "${at}"`);
  return i;
}

/** The container that holds the last token of `path`. */
function parentOf(doc: unknown, path: readonly string[], fail: Fail): unknown {
  return get(doc, path.slice(0, -1), fail);
}

function get(doc: unknown, path: readonly string[], fail: Fail): unknown {
  let current = doc;
  path.forEach((token, depth) => {
    const at = pointerOf(path.slice(0, depth + 1));
    if (Array.isArray(current)) {
      current = current[arrayIndex(token, current.length, false, at, fail)];
    } else if (isJsonObject(current) && hasOwn(current, token)) {
      current = current[token];
    } else {
      fail(`path "${at}" does not exist`);
    }
  });
  return current;
}

function add(doc: unknown, path: readonly string[], value: unknown, fail: Fail): unknown {
  if (path.length === 0) return value;
  const parent = parentOf(doc, path, fail);
  const token = path[path.length - 1];
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(token, parent.length, true, pointerOf(path), fail), 0, value);
  } else if (isJsonObject(parent)) {
    setOwn(parent, token, value);
  } else {
    fail(
      `cannot add to "${pointerOf(path.slice(0, -1))}": it is ${describe(parent)}, not an object or array`,
    );
  }
  return doc;
}

function replace(doc: unknown, path: readonly string[], value: unknown, fail: Fail): unknown {
  if (path.length === 0) return value;
  const parent = parentOf(doc, path, fail);
  const token = path[path.length - 1];
  if (Array.isArray(parent)) {
    parent[arrayIndex(token, parent.length, false, pointerOf(path), fail)] = value;
  } else if (isJsonObject(parent) && hasOwn(parent, token)) {
    setOwn(parent, token, value);
  } else {
    fail(`path "${pointerOf(path)}" does not exist`);
  }
  return doc;
}

function remove(doc: unknown, path: readonly string[], fail: Fail): { doc: unknown; value: unknown } {
  if (path.length === 0) return { doc: null, value: doc };
  const parent = parentOf(doc, path, fail);
  const token = path[path.length - 1];
  if (Array.isArray(parent)) {
    const [value] = parent.splice(arrayIndex(token, parent.length, false, pointerOf(path), fail), 1);
    return { doc, value };
  }
  if (isJsonObject(parent) && hasOwn(parent, token)) {
    const value = parent[token];
    delete parent[token];
    return { doc, value };
  }
  return fail(`path "${pointerOf(path)}" does not exist`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
