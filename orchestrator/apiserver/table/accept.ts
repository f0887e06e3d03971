/**
 * Content negotiation for server-side printing: whether an `Accept` header asks for a
 * `meta.k8s.io` Table, in which version, and what rows should carry (`includeObject`).
 */

import type { IncludeObjectPolicy, TableVersion } from './table-types.js';

interface MediaRange {
  type: string;
  subtype: string;
  params: Map<string, string>;
  q: number;
}

/** Splits on `separator` outside double quotes, so quoted parameter values may contain it. */
function splitUnquoted(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && quoted && i + 1 < text.length) {
      current += ch + text[++i];
    } else if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1).replace(/\\(.)/g, '$1')
    : value;
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const clause of splitUnquoted(accept, ',')) {
    const [mediaType = '', ...rawParams] = splitUnquoted(clause, ';').map((p) => p.trim());
    const slash = mediaType.indexOf('/');
    if (slash <= 0 || slash === mediaType.length - 1) continue;
    const params = new Map<string, string>();
    let q = 1;
    for (const raw of rawParams) {
      const eq = raw.indexOf('=');
      if (eq <= 0) continue;
      const key = raw.slice(0, eq).trim().toLowerCase();
      const value = unquote(raw.slice(eq + 1).trim());
      if (key === 'q') {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? parsed : 0;
      } else {
        params.set(key, value);
      }
    }
    if (q <= 0) continue;
    ranges.push({
      type: mediaType.slice(0, slash).toLowerCase(),
      subtype: mediaType.slice(slash + 1).toLowerCase(),
      params,
      q,
    });
  }
  // Most preferred first, as goautoneg orders them: by q, then concrete types before wildcards.
  // The sort is stable, so equally preferred ranges keep the client's order.
  return ranges.sort(
    (a, b) =>
      b.q - a.q ||
      Number(a.type === '*') - Number(b.type === '*') ||
      Number(a.subtype === '*') - Number(b.subtype === '*'),
  );
}

// Parameters kube-apiserver tolerates besides the conversion target; any other makes it skip a range.
const HARMLESS_PARAMS = new Set(['pretty', 'stream', 'profile', 'charset']);
const TABLE_VERSIONS: ReadonlySet<string> = new Set<TableVersion>(['v1', 'v1beta1']);

/**
 * The `meta.k8s.io` version of the Table an `Accept` header asks for, or `undefined` when the
 * client should get the plain object or list. Media ranges are taken in order of preference; the
 * first one the server can honour decides. A JSON (or wildcard) range with `as=Table`,
 * `g=meta.k8s.io` and `v=v1` or `v=v1beta1` means a Table; a range without `as` means no Table;
 * ranges asking for another conversion, group or version, for a Table in a non-JSON encoding, or
 * carrying unknown parameters are skipped, as kube-apiserver skips them.
 */
export function negotiateTableVersion(accept: string | undefined): TableVersion | undefined {
  if (!accept) return undefined;
  for (const range of parseAccept(accept)) {
    if (
      [...range.params.keys()].some((k) => !HARMLESS_PARAMS.has(k) && k !== 'as' && k !== 'g' && k !== 'v')
    ) {
      continue;
    }
    const as = range.params.get('as');
    if (as === undefined) {
      if (range.params.has('g') || range.params.has('v')) continue;
      return undefined;
    }
    const json =
      (range.type === 'application' && (range.subtype === 'json' || range.subtype === '*')) ||
      (range.type === '*' && range.subtype === '*');
    const version = range.params.get('v') ?? '';
    if (as === 'Table' && json && range.params.get('g') === 'meta.k8s.io' && TABLE_VERSIONS.has(version)) {
      return version as TableVersion;
    }
  }
  return undefined;
}

/**
 * Whether an `Accept` header asks for a `meta.k8s.io` Table (v1 or v1beta1) ahead of the plain
 * representation — true for kubectl's `kubectl get` header. See {@link negotiateTableVersion}.
 */
export function isTableRequest(accept: string | undefined): boolean {
  return negotiateTableVersion(accept) !== undefined;
}

/**
 * Parses the `includeObject` query parameter of a Table request: absent or empty means
 * `Metadata`, Kubernetes' default; a value other than None, Metadata or Object yields `undefined`,
 * which the caller should answer with 400 Bad Request.
 */
export function parseIncludeObject(value: string | null | undefined): IncludeObjectPolicy | undefined {
  if (value === null || value === undefined || value === '') return 'Metadata';
  return value === 'None' || value === 'Metadata' || value === 'Object' ? value : undefined;
}
