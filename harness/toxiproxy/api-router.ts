/**
 * Request routing as toxiproxy-server's gorilla/mux router does it: the path is percent-decoded,
 * a path that is not clean ("//", "/./", "/../") is redirected to its clean form, routes are
 * tried in order, a path that matches only with another method is a 405, anything else a 404.
 */

export type RouteName =
  | 'ResetState'
  | 'ProxyIndex'
  | 'ProxyCreate'
  | 'Populate'
  | 'ProxyShow'
  | 'ProxyUpdate'
  | 'ProxyDelete'
  | 'ToxicIndex'
  | 'ToxicCreate'
  | 'ToxicShow'
  | 'ToxicUpdate'
  | 'ToxicDelete'
  | 'Version';

export type RouteResult =
  | { readonly kind: 'route'; readonly route: RouteName; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'methodNotAllowed' }
  /** The request target does not parse (a bad percent escape): Go's server answers 400 itself. */
  | { readonly kind: 'badRequest' };

// In toxiproxy-server's order. Update accepts PATCH, which 2.6 added (POST is deprecated but kept).
const routes: readonly { methods: readonly string[]; path: string; route: RouteName }[] = [
  { methods: ['POST'], path: '/reset', route: 'ResetState' },
  { methods: ['GET'], path: '/proxies', route: 'ProxyIndex' },
  { methods: ['POST'], path: '/proxies', route: 'ProxyCreate' },
  { methods: ['POST'], path: '/populate', route: 'Populate' },
  { methods: ['GET'], path: '/proxies/{proxy}', route: 'ProxyShow' },
  { methods: ['POST', 'PATCH'], path: '/proxies/{proxy}', route: 'ProxyUpdate' },
  { methods: ['DELETE'], path: '/proxies/{proxy}', route: 'ProxyDelete' },
  { methods: ['GET'], path: '/proxies/{proxy}/toxics', route: 'ToxicIndex' },
  { methods: ['POST'], path: '/proxies/{proxy}/toxics', route: 'ToxicCreate' },
  { methods: ['GET'], path: '/proxies/{proxy}/toxics/{toxic}', route: 'ToxicShow' },
  { methods: ['POST', 'PATCH'], path: '/proxies/{proxy}/toxics/{toxic}', route: 'ToxicUpdate' },
  { methods: ['DELETE'], path: '/proxies/{proxy}/toxics/{toxic}', route: 'ToxicDelete' },
  { methods: ['GET'], path: '/version', route: 'Version' },
];

/** Routes a request by its method and its request target (Node's `req.url`). */
export function routeRequest(method: string, target: string): RouteResult {
  const { rawPath, query } = splitTarget(target);
  const path = percentDecode(rawPath);
  if (path === undefined) return { kind: 'badRequest' };
  const clean = cleanPath(path);
  if (clean !== path)
    return { kind: 'redirect', location: escapePath(clean) + (query === undefined ? '' : `?${query}`) };
  const segments = path.split('/');
  let methodMismatch = false;
  for (const candidate of routes) {
    const params = matchPath(candidate.path.split('/'), segments);
    if (!params) continue;
    if (candidate.methods.includes(method)) return { kind: 'route', route: candidate.route, params };
    methodMismatch = true;
  }
  return methodMismatch ? { kind: 'methodNotAllowed' } : { kind: 'notFound' };
}

function matchPath(
  template: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const want = template[i]!;
    const have = segments[i]!;
    if (want.startsWith('{')) {
      // mux's default variable pattern, [^/]+: never empty.
      if (have === '') return undefined;
      params[want.slice(1, -1)] = have;
    } else if (want !== have) return undefined;
  }
  return params;
}

/** The path and query of an origin-form or absolute-form request target. */
function splitTarget(target: string): { rawPath: string; query: string | undefined } {
  let rest = target;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length) || '/';
  const q = rest.indexOf('?');
  return q < 0
    ? { rawPath: rest, query: undefined }
    : { rawPath: rest.slice(0, q), query: rest.slice(q + 1) };
}

/** Go's path unescaping: %XX to bytes (read as UTF-8), anything else as is; undefined for a bad escape. */
function percentDecode(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  const source = Buffer.from(raw, 'utf8');
  for (let i = 0; i < source.length; i++) {
    if (source[i] !== 0x25) {
      bytes.push(source[i]!);
      continue;
    }
    const hex = source.subarray(i + 1, i + 3).toString('latin1');
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** mux's cleanPath: Go's path.Clean, keeping a trailing slash. */
export function cleanPath(path: string): string {
  if (path === '') return '/';
  const rooted = path.startsWith('/') ? path : `/${path}`;
  const out: string[] = [];
  for (const segment of rooted.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const cleaned = `/${out.join('/')}`;
  return rooted.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned;
}

/** Go's URL path escaping, for the Location of a redirect. */
function escapePath(path: string): string {
  return [...Buffer.from(path, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}
