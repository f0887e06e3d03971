import { z } from 'zod';
import { parseDuration } from '../../orchestrator/api/duration.js';
import { LoadError } from './load-error.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Where the load goes: URLs as they are, or a Service reached through its workers' node ports. */
export type LoadTargetSpec =
  | { kind: 'urls'; urls: string[] }
  | {
      kind: 'service';
      namespace: string;
      name: string;
      /** The Service port's number or name; may be left out when the Service has one port. */
      port?: number | string;
      /** The workers whose node ports carry the load; all of them when left out. */
      workers?: string[];
    };

/**
 * The open model's arrival rate, in requests per second: constant, or ramping linearly through
 * stages from `startRate` as k6's ramping-arrival-rate does.
 */
export type ArrivalProfile =
  | { kind: 'constant'; rate: number; durationMs: number }
  | { kind: 'ramping'; startRate: number; stages: { durationMs: number; target: number }[] };

export interface LoadRequestSpec {
  name: string;
  method: HttpMethod;
  /** Appended to the target URL. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Statuses that count as success; 200–399 (k6's default) when left out. */
  expectStatus?: number[];
  /** Its share of the mix, relative to the other requests' weights. */
  weight: number;
}

/** A validated, defaulted, frozen load spec. */
export interface LoadSpec {
  target: LoadTargetSpec;
  arrival: ArrivalProfile;
  requests: LoadRequestSpec[];
  /**
   * A request that has not answered by then fails as `timeout`. The builtin driver applies it to
   * connecting, to the headers and to the body, each (undici's timers: from 1 s up they fire up
   * to half a second late); k6 applies it to the whole request.
   */
  timeoutMs: number;
  /** Requests in flight at most (k6's maxVUs); a request due beyond it is dropped, not delayed. */
  maxInFlight: number;
  /**
   * Every request on a connection of its own (k6's `noConnectionReuse`). A Service balances
   * connections, not requests: over kept-alive connections a few endpoints may get every request.
   */
  noConnectionReuse: boolean;
  /** Attached to the whole run (k6: options.tags). */
  tags: Record<string, string>;
  /** k6 thresholds (metric → expressions), rendered into the script; the builtin driver has none. */
  thresholds: Record<string, string[]>;
  driver: 'auto' | 'k6' | 'builtin';
  /** A k6 script of the user's own, run instead of the rendered one (k6 driver only). */
  script?: string;
}

const NAMESPACED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const METRIC = /^[a-zA-Z_][a-zA-Z0-9_]*(\{[^{}]+\})?$/;

const duration = z.string().transform((text, ctx) => {
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
    ctx.addIssue({ code: 'custom', message: 'must be longer than 0' });
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: use e.g. 500ms, 10s, 2m, 1m30s` });
  }
  return z.NEVER;
});

const httpUrl = z.string().refine(
  (text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash;
    } catch {
      return false;
    }
  },
  { message: 'must be an http:// or https:// URL without query or fragment' },
);

const port = z.union(
  [z.number().int().min(1).max(65535), z.string().regex(PORT_NAME)],
  'must be a port number (1–65535) or a port name',
);

const targetObject = z
  .strictObject({
    url: httpUrl.optional(),
    urls: z.array(httpUrl).min(1).optional(),
    service: z.string().regex(NAMESPACED_NAME, 'must be namespace/name').optional(),
    port: port.optional(),
    workers: z.array(z.string().min(1)).min(1).optional(),
  })
  .superRefine(
    (t, ctx) => {
      const given = (['url', 'urls', 'service'] as const).filter((k) => t[k] !== undefined);
      if (given.length !== 1)
        ctx.addIssue({ code: 'custom', message: 'give exactly one of url, urls or service' });
      if (t.service === undefined) {
        for (const key of ['port', 'workers'] as const)
          if (t[key] !== undefined)
            ctx.addIssue({ code: 'custom', path: [key], message: 'only for a service target' });
      }
    },
    { when: () => true },
  );

/** `http://…` → one URL; `ns/name[:port]` → a Service; a list → URLs. */
function targetShorthand(value: unknown): unknown {
  if (Array.isArray(value)) return { urls: value };
  if (typeof value !== 'string') return value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { url: value };
  const colon = value.lastIndexOf(':');
  if (colon < 0) return { service: value };
  const portText = value.slice(colon + 1);
  return {
    service: value.slice(0, colon),
    port: /^\d+$/.test(portText) ? Number(portText) : portText,
  };
}

const statusCode = z.number().int().min(100).max(599);

const request = z.strictObject({
  name: z.string().min(1).optional(),
  method: z.enum(HTTP_METHODS).default('GET'),
  path: z.string().startsWith('/', 'must start with "/"').default('/'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  expectStatus: z.union([statusCode, z.array(statusCode).min(1)]).optional(),
  weight: z.number().int().min(1).default(1),
});

const stage = z.strictObject({ duration, target: z.number().min(0) });

/**
 * A load spec as written in a scenario (or made from CLI flags): decoded strictly (unknown
 * fields are errors), with every problem reported together. The output is the normalized
 * LoadSpec: durations in milliseconds, the target and arrival rate in one shape each.
 */
export const loadSpecSchema = z
  .strictObject({
    target: z.preprocess(targetShorthand, targetObject),
    rate: z.number().positive().optional(),
    duration: duration.optional(),
    startRate: z.number().min(0).optional(),
    stages: z.array(stage).min(1).optional(),
    requests: z
      .array(request)
      .min(1)
      .default([{ method: 'GET', path: '/', headers: {}, weight: 1 }]),
    timeout: duration.default(10_000),
    maxInFlight: z.number().int().min(1).max(100_000).default(1000),
    noConnectionReuse: z.boolean().default(false),
    tags: z.record(z.string().min(1), z.string()).default({}),
    thresholds: z
      .record(z.string().regex(METRIC, 'must be a k6 metric name'), z.array(z.string().min(1)).min(1))
      .default({}),
    driver: z.enum(['auto', 'k6', 'builtin']).default('auto'),
    script: z.string().min(1).optional(),
  })
  .superRefine(
    (s, ctx) => {
      const ramping = s.stages !== undefined || s.startRate !== undefined;
      if (ramping) {
        if (s.stages === undefined)
          ctx.addIssue({ code: 'custom', path: ['stages'], message: 'startRate needs stages' });
        for (const key of ['rate', 'duration'] as const)
          if (s[key] !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: 'give either rate and duration, or stages',
            });
      } else {
        if (s.rate === undefined)
          ctx.addIssue({ code: 'custom', path: ['rate'], message: 'required (or stages)' });
        if (s.duration === undefined)
          ctx.addIssue({ code: 'custom', path: ['duration'], message: 'required with rate' });
      }
    },
    { when: () => true },
  )
  .transform((s): LoadSpec => {
    const t = s.target;
    const target: LoadTargetSpec =
      t.service !== undefined
        ? {
            kind: 'service',
            namespace: t.service.split('/')[0]!,
            name: t.service.split('/')[1]!,
            ...(t.port !== undefined ? { port: t.port } : {}),
            ...(t.workers ? { workers: t.workers } : {}),
          }
        : { kind: 'urls', urls: t.urls ?? [t.url!] };
    const arrival: ArrivalProfile = s.stages
      ? {
          kind: 'ramping',
          startRate: s.startRate ?? 0,
          stages: s.stages.map((st) => ({ durationMs: st.duration, target: st.target })),
        }
      : { kind: 'constant', rate: s.rate!, durationMs: s.duration! };
    return {
      target,
      arrival,
      requests: s.requests.map((r) => {
        const json = r.body !== undefined && typeof r.body !== 'string';
        const headers =
          json && !Object.keys(r.headers).some((h) => h.toLowerCase() === 'content-type')
            ? { ...r.headers, 'content-type': 'application/json' }
            : r.headers;
        return {
          name: r.name ?? `${r.method} ${r.path}`,
          method: r.method,
          path: r.path,
          headers,
          ...(r.body !== undefined ? { body: json ? JSON.stringify(r.body) : (r.body as string) } : {}),
          ...(r.expectStatus !== undefined
            ? { expectStatus: Array.isArray(r.expectStatus) ? r.expectStatus : [r.expectStatus] }
            : {}),
          weight: r.weight,
        };
      }),
      timeoutMs: s.timeout,
      maxInFlight: s.maxInFlight,
      noConnectionReuse: s.noConnectionReuse,
      tags: s.tags,
      thresholds: s.thresholds,
      driver: s.driver,
      ...(s.script !== undefined ? { script: s.script } : {}),
    };
  });

/** The spec's input shape, as a scenario file or the CLI writes it. */
export type LoadSpecInput = z.input<typeof loadSpecSchema>;

/** Validates `input`; throws LoadError InvalidLoadSpec listing every problem. Frozen. */
export function parseLoadSpec(input: unknown): LoadSpec {
  const result = loadSpecSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => {
      const path = formatPath(issue.path);
      if (issue.code === 'unrecognized_keys')
        return issue.keys.map((k) => `${path ? `${path}.` : ''}${k}: unknown field`);
      return [`${path || '(spec)'}: ${issue.message}`];
    });
    throw new LoadError('InvalidLoadSpec', `invalid load spec:\n  ${problems.join('\n  ')}`, problems);
  }
  return deepFreeze(result.data);
}

/** The run's planned length: the constant duration, or the stages' sum. */
export function plannedDurationMs(arrival: ArrivalProfile): number {
  return arrival.kind === 'constant'
    ? arrival.durationMs
    : arrival.stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/** The highest rate the profile reaches. */
export function peakRate(arrival: ArrivalProfile): number {
  return arrival.kind === 'constant'
    ? arrival.rate
    : Math.max(arrival.startRate, ...arrival.stages.map((s) => s.target));
}

function formatPath(path: PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
