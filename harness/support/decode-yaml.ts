import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { ZodType } from 'zod';

/**
 * The `params` of a custom zod issue about a key itself (an unknown one, say), so that it is
 * reported at the key rather than at its value: `ctx.addIssue({code: 'custom', path, message,
 * params: AT_KEY})`.
 */
export const AT_KEY = Object.freeze({ reportAt: 'key' });

/** One problem in a configuration file, where it is. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** The field's path, e.g. `workers[0].count`. */
  path: string;
  message: string;
}

/** Every problem of a configuration file, reported together (kind and fastify do the same). */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      problems
        .map((p) => `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`)
        .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** The folders of the files being decoded, the innermost last (a decode may decode another file). */
const decoding: string[] = [];

/**
 * The folder of the configuration file being decoded, which the paths written in it are relative
 * to: for a schema's refinements and transforms. The working directory outside a decode (and for
 * text that comes from no file).
 */
export function configFileDir(): string {
  return decoding.at(-1) ?? process.cwd();
}

/**
 * Decodes YAML text strictly against a zod schema: syntax errors, wrong types, values out of
 * range and unknown fields are all reported, each with its file, line and column. Returns the
 * parsed (defaulted) value, deep-frozen.
 */
export function decodeYaml<T>(text: string, file: string, schema: ZodType<T>): T {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const { line, col } = at(e.pos[0]);
        return { file, line, column: col, path: '', message: e.message.split('\n')[0]! };
      }),
    );
  }
  const value: unknown = doc.toJS() ?? {};
  decoding.push(dirname(resolve(file)));
  let result;
  try {
    result = schema.safeParse(value);
  } finally {
    decoding.pop();
  }
  if (result.success) return deepFreeze(result.data);
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [undefined];
    const atKey =
      issue.code === 'custom' && (issue as { params?: { reportAt?: unknown } }).params?.reportAt === 'key';
    for (const key of keys) {
      const full = key === undefined ? path : [...path, key];
      const node = locate(doc, full, key !== undefined || atKey);
      const { line, col } = node ? at(node) : { line: 1, col: 1 };
      problems.push({
        file,
        line,
        column: col,
        path: formatPath(full),
        message: key === undefined ? issue.message : `unknown field "${key}"`,
      });
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  throw new ConfigError(problems);
}

/** Offset of the node at `path` (of its key, for an unknown key), or of its nearest ancestor. */
function locate(
  doc: ReturnType<typeof parseDocument>,
  path: (string | number)[],
  isKey: boolean,
): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    if (isKey && depth === path.length) {
      const parent = depth > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
      const pair = (
        parent as { items?: { key: { value?: unknown; range?: number[] } }[] } | null
      )?.items?.find(
        (item) => isNode(item.key) && (item.key as { value?: unknown }).value === sub[sub.length - 1],
      );
      if (pair?.key.range) return pair.key.range[0];
      continue;
    }
    const node = sub.length === 0 ? doc.contents : doc.getIn(sub, true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
