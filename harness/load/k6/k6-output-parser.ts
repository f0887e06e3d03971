import type { LoadSample } from '../load-sample.js';
import { k6ErrorKind } from './k6-error-code.js';

/** The metric the rendered script adds after each answer naming a pod (see k6-script.ts). */
export const K6_POD_METRIC = 'crucible_pod';

interface PointLine {
  type: 'Point';
  metric: string;
  data: {
    time: string;
    value: number;
    tags?: Record<string, string> | null;
    metadata?: Record<string, string> | null;
  };
}

/** One request's points, gathered. */
interface Trail {
  key: string;
  endMs: number;
  tags: Record<string, string>;
  iteration: string | undefined;
  durationMs?: number;
  failed?: boolean;
}

/**
 * Turns k6's `--out json` NDJSON into samples, one line at a time (so a file can be read while
 * k6 writes it). k6 writes a request's points together — http_reqs, http_req_duration, the
 * timing points, then http_req_failed — all with the same time and tags; the parser joins them
 * on that (time + tags) and ignores every other metric but three: `dropped_iterations` (each
 * point a dropped request), `crucible_pod` (which pod answered, from the rendered script) and
 * `iterations` (the end of an iteration, when the pod of its request is known).
 *
 * k6 stamps a request's points with the time it ended and does not say when it was scheduled.
 * Arrival-rate executors start each iteration on schedule or drop it, so the request's start is
 * the best estimate of its intended start: the point's time minus http_req_duration. The
 * latency is http_req_duration, as k6 reports it, so percentiles match k6's own summary;
 * like k6's, it leaves out the wait for a connection (http_req_blocked).
 */
export class K6OutputParser {
  private trail: Trail | undefined;
  /** Requests whose iteration has not ended yet, by iteration, waiting for a pod to be named. */
  private readonly held = new Map<string, LoadSample[]>();
  /** Lines that were not JSON: a truncated last line when k6 was killed, or a corrupt file. */
  malformedLines = 0;

  constructor(private readonly emit: (sample: LoadSample) => void) {}

  line(text: string): void {
    if (text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.malformedLines++;
      return;
    }
    const point = parsed as Partial<PointLine>;
    if (point.type !== 'Point' || typeof point.metric !== 'string' || !point.data) return;
    this.point(point as PointLine);
  }

  /** Flushes what is still gathered: the last request, and requests whose iteration never ended. */
  end(): void {
    this.closeTrail();
    for (const samples of this.held.values()) for (const s of samples) this.emit(s);
    this.held.clear();
  }

  private point({ metric, data }: PointLine): void {
    const tags = data.tags ?? {};
    if (metric === 'http_reqs') {
      this.closeTrail();
      this.trail = {
        key: trailKey(data.time, tags),
        endMs: parseTime(data.time),
        tags,
        iteration: iterationKey(tags, data.metadata),
      };
      return;
    }
    if (metric.startsWith('http_req_')) {
      const trail = this.trail;
      if (!trail || trail.key !== trailKey(data.time, tags)) return;
      if (metric === 'http_req_duration') trail.durationMs = data.value;
      else if (metric === 'http_req_failed') {
        trail.failed = data.value === 1;
        // http_req_failed is the trail's last point.
        this.closeTrail();
      }
      return;
    }
    if (metric === 'dropped_iterations') {
      const at = parseTime(data.time);
      this.emit({
        intendedStartMs: at,
        actualStartMs: at,
        latencyMs: 0,
        outcome: 'dropped',
        status: 0,
        request: tags.crucible_request ?? '',
        node: '',
      });
      return;
    }
    if (metric === K6_POD_METRIC) {
      const iteration = iterationKey(tags, data.metadata);
      const waiting = iteration === undefined ? undefined : this.held.get(iteration);
      // One request per iteration in the rendered script; for several, the latest without one.
      const sample = [...(waiting ?? [])].reverse().find((s) => s.pod === undefined);
      if (sample && tags.pod) sample.pod = tags.pod;
      return;
    }
    if (metric === 'iterations') {
      this.closeTrail();
      const iteration = iterationKey(tags, data.metadata);
      if (iteration === undefined) return;
      for (const s of this.held.get(iteration) ?? []) this.emit(s);
      this.held.delete(iteration);
    }
  }

  private closeTrail(): void {
    const trail = this.trail;
    if (!trail) return;
    this.trail = undefined;
    const sample = toSample(trail);
    if (trail.iteration === undefined) return this.emit(sample);
    const waiting = this.held.get(trail.iteration);
    if (waiting) waiting.push(sample);
    else this.held.set(trail.iteration, [sample]);
  }
}

function toSample(trail: Trail): LoadSample {
  const { tags } = trail;
  const status = Number(tags.status ?? 0) || 0;
  const durationMs = trail.durationMs ?? 0;
  const failed =
    trail.failed ??
    (tags.expected_response !== undefined
      ? tags.expected_response === 'false'
      : status === 0 || status >= 400);
  const start = trail.endMs - durationMs;
  const code = tags.error_code;
  return {
    intendedStartMs: start,
    actualStartMs: start,
    latencyMs: durationMs,
    outcome: failed ? 'failed' : 'ok',
    status,
    ...(failed
      ? {
          error: code ? k6ErrorKind(Number(code)) : status > 0 ? 'http' : 'other',
          errorCode: code ?? String(status),
        }
      : {}),
    request: tags.crucible_request ?? requestName(tags),
    node: tags.crucible_node ?? hostOf(tags.url),
  };
}

/** The same request's points share their time and tags; tags are compared whatever their order. */
function trailKey(time: string, tags: Record<string, string>): string {
  return (
    time +
    '\n' +
    JSON.stringify(
      Object.keys(tags)
        .sort()
        .map((k) => [k, tags[k]]),
    )
  );
}

/**
 * The iteration a point belongs to, when k6 was asked for the `vu` and `iter` system tags (the
 * rendered script asks; since k6 0.41 they arrive as metadata, before as tags).
 */
function iterationKey(
  tags: Record<string, string>,
  metadata: Record<string, string> | null | undefined,
): string | undefined {
  const vu = metadata?.vu ?? tags.vu;
  const iter = metadata?.iter ?? tags.iter;
  return vu === undefined || iter === undefined ? undefined : `${tags.scenario ?? ''}/${vu}/${iter}`;
}

function requestName(tags: Record<string, string>): string {
  const method = tags.method ?? 'GET';
  try {
    return `${method} ${new URL(tags.name ?? tags.url ?? '').pathname}`;
  } catch {
    return `${method} ${tags.name ?? tags.url ?? ''}`;
  }
}

function hostOf(url: string | undefined): string {
  try {
    return new URL(url ?? '').host;
  } catch {
    return '';
  }
}

const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** RFC 3339 with nanoseconds (Go's time.Time) to epoch milliseconds, keeping the sub-millisecond part. */
export function parseTime(text: string): number {
  const m = TIME.exec(text);
  if (!m) return Date.parse(text);
  return Date.parse(m[1]! + m[3]!) + (m[2] ? Number(m[2]) * 1000 : 0);
}
