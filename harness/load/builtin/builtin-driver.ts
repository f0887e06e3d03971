import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { LoadAggregator } from '../load-aggregator.js';
import type { LoadDriver, LoadRunOptions, LoadTarget } from '../load-driver.js';
import type { LoadSample } from '../load-sample.js';
import type { LoadSpec, LoadRequestSpec } from '../load-spec.js';
import type { LoadResult } from '../load-summary.js';
import { RequestMix } from '../request-mix.js';
import { ArrivalSchedule } from './arrival-schedule.js';
import { errorKindOf } from './error-kind.js';

/** JSON bodies up to this size are looked at to learn which pod answered. */
const POD_BODY_LIMIT = 4096;
/** The driver's own lateness beyond which the result says so. */
const LATE_WARNING_MS = 10;

export interface BuiltinDriverOptions {
  /** Milliseconds since the Unix epoch, sub-millisecond; the monotonic clock by default. */
  now?: () => number;
  /**
   * Warm the driver up once per process before its first run (default true): a fraction of a
   * second of load against a throwaway server on 127.0.0.1, never the target. Cold, the first
   * few hundred milliseconds of a high rate run late while V8 compiles the request path.
   */
  warmUp?: boolean;
}

interface PreparedTarget {
  target: LoadTarget;
  pool: Pool;
  /** The URL's own path, put before each request's path. */
  basePath: string;
}

interface PreparedRequest {
  spec: LoadRequestSpec;
  weight: number;
  expected: (status: number) => boolean;
}

/**
 * The load driver that needs nothing installed: an open model in Node with undici. Each request
 * is sent at its scheduled time whatever the earlier ones are doing, and its latency runs from
 * that intended start, so a stalled target or a driver that falls behind shows as latency, never
 * as fewer requests (no coordinated omission). When `maxInFlight` requests are already waiting,
 * a due request is dropped and counted, like k6's dropped_iterations; it is never delayed.
 * Targets take turns (round-robin), the mix is weighted round-robin.
 */
export class BuiltinDriver implements LoadDriver {
  readonly name = 'builtin';
  private readonly now: () => number;

  constructor(
    private readonly spec: LoadSpec,
    private readonly targets: readonly LoadTarget[],
    private readonly options: BuiltinDriverOptions = {},
  ) {
    if (targets.length === 0) throw new RangeError('the builtin driver needs at least one target');
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
  }

  async run(options: LoadRunOptions = {}): Promise<LoadResult> {
    if (this.options.warmUp ?? true) await warmUpOnce();
    return new BuiltinRun(this.spec, this.targets, this.now, options).start();
  }
}

let warmedUp: Promise<void> | undefined;

/** One short run at a high rate against a local throwaway server; its results are discarded. */
function warmUpOnce(): Promise<void> {
  warmedUp ??= (async () => {
    const server = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': 15 })
        .end('{"pod":"warm"}\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const spec: LoadSpec = {
        target: { kind: 'urls', urls: [url] },
        arrival: { kind: 'constant', rate: 4000, durationMs: 250 },
        requests: [{ name: 'warm-up', method: 'GET', path: '/', headers: {}, weight: 1 }],
        timeoutMs: 2000,
        maxInFlight: 200,
        noConnectionReuse: false,
        tags: {},
        thresholds: {},
        driver: 'builtin',
      };
      await new BuiltinRun(
        spec,
        [{ url, node: 'warm-up' }],
        () => performance.timeOrigin + performance.now(),
        {},
      ).start();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  })();
  return warmedUp;
}

/** One run's state: the schedule, what is in flight, and the aggregate. */
class BuiltinRun {
  private readonly schedule: ArrivalSchedule;
  private readonly mix: RequestMix<PreparedRequest>;
  private readonly prepared: PreparedTarget[];
  private aggregator = new LoadAggregator({ driver: 'builtin' });
  private startMs = 0;
  private nextOffset: number | undefined;
  private turn = 0;
  private inFlight = 0;
  private scheduling = true;
  private maxLateMs = 0;
  private sampleError: unknown;
  private timer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private finish: () => void = () => {};

  constructor(
    private readonly spec: LoadSpec,
    targets: readonly LoadTarget[],
    private readonly now: () => number,
    private readonly options: LoadRunOptions,
  ) {
    this.schedule = new ArrivalSchedule(spec.arrival);
    this.mix = new RequestMix(
      spec.requests.map((r) => ({ spec: r, weight: r.weight, expected: expectation(r.expectStatus) })),
    );
    this.prepared = targets.map((target) => {
      const url = new URL(target.url);
      return {
        target,
        basePath: url.pathname.replace(/\/+$/, ''),
        pool: new Pool(url.origin, {
          connections: spec.maxInFlight,
          pipelining: 1,
          connect: { timeout: spec.timeoutMs },
          headersTimeout: spec.timeoutMs,
          bodyTimeout: spec.timeoutMs,
        }),
      };
    });
  }

  async start(): Promise<LoadResult> {
    const { signal, onProgress } = this.options;
    const onAbort = () => this.stopScheduling();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve) => {
        this.finish = resolve;
        this.startMs = this.now();
        // Seconds count from the schedule's start, not from whichever answer comes first.
        this.aggregator = new LoadAggregator({ driver: 'builtin', originMs: this.startMs });
        this.nextOffset = this.schedule.next();
        if (onProgress)
          this.progressTimer = setInterval(() => onProgress(this.aggregator.progress(this.now())), 1000);
        this.tick();
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      clearInterval(this.progressTimer);
      this.clearTimer();
      await Promise.all(this.prepared.map((p) => p.pool.destroy()));
    }
    if (this.sampleError !== undefined) throw this.sampleError;
    return this.result();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    if (this.options.signal?.aborted) this.scheduling = false;
    const now = this.now();
    while (this.scheduling && this.nextOffset !== undefined && this.startMs + this.nextOffset <= now) {
      this.fire(this.startMs + this.nextOffset, now);
      this.nextOffset = this.schedule.next();
    }
    if (!this.scheduling || this.nextOffset === undefined) {
      this.scheduling = false;
      return this.settle();
    }
    const wait = this.startMs + this.nextOffset - this.now();
    // Timers, not a busy loop: on a 2-core machine the system under test needs the other core
    // (spinning costs a whole core from 1,000 requests/s up). Timers have millisecond
    // granularity, so a request may go out up to about a millisecond late; that lateness is
    // part of its latency (measured from the intended start) and shows in actualStartMs.
    this.timer = setTimeout(this.tick, Math.max(1, Math.ceil(wait)));
  };

  private fire(intendedStartMs: number, now: number): void {
    const target = this.prepared[this.turn++ % this.prepared.length]!;
    const request = this.mix.next();
    this.maxLateMs = Math.max(this.maxLateMs, now - intendedStartMs);
    if (this.inFlight >= this.spec.maxInFlight) {
      this.emit({
        intendedStartMs,
        actualStartMs: intendedStartMs,
        latencyMs: 0,
        outcome: 'dropped',
        status: 0,
        request: request.spec.name,
        node: target.target.node,
      });
      return;
    }
    this.inFlight++;
    const actualStartMs = this.now();
    const { method, path, headers, body } = request.spec;
    target.pool
      // `reset`: the connection is closed after the answer, so the next request opens another.
      .request({ method, path: target.basePath + path, headers, body, reset: this.spec.noConnectionReuse })
      .then(
        (res) => this.answered(res, request, target, intendedStartMs, actualStartMs),
        (error: unknown) => this.failed(error, 0, request, target, intendedStartMs, actualStartMs),
      )
      .finally(() => {
        this.inFlight--;
        this.settle();
      });
  }

  private async answered(
    res: Dispatcher.ResponseData,
    request: PreparedRequest,
    target: PreparedTarget,
    intendedStartMs: number,
    actualStartMs: number,
  ): Promise<void> {
    let pod: string | undefined;
    try {
      const type = res.headers['content-type'];
      if (typeof type === 'string' && type.includes('json')) pod = podOf(await smallBody(res.body));
      else await res.body.dump();
    } catch (error) {
      return this.failed(error, res.statusCode, request, target, intendedStartMs, actualStartMs);
    }
    const ok = request.expected(res.statusCode);
    this.emit({
      intendedStartMs,
      actualStartMs,
      latencyMs: this.now() - intendedStartMs,
      outcome: ok ? 'ok' : 'failed',
      status: res.statusCode,
      ...(ok ? {} : { error: 'http' as const, errorCode: String(res.statusCode) }),
      request: request.spec.name,
      node: target.target.node,
      ...(pod ? { pod } : {}),
    });
  }

  private failed(
    error: unknown,
    status: number,
    request: PreparedRequest,
    target: PreparedTarget,
    intendedStartMs: number,
    actualStartMs: number,
  ): void {
    const { kind, code } = errorKindOf(error);
    this.emit({
      intendedStartMs,
      actualStartMs,
      latencyMs: this.now() - intendedStartMs,
      outcome: 'failed',
      status,
      error: kind,
      errorCode: code,
      request: request.spec.name,
      node: target.target.node,
    });
  }

  private emit(sample: LoadSample): void {
    this.aggregator.add(sample);
    if (!this.options.onSample) return;
    try {
      this.options.onSample(sample);
    } catch (error) {
      // A recorder that cannot record ends the run: a history with holes would mislead.
      this.sampleError ??= error;
      this.stopScheduling();
    }
  }

  private stopScheduling(): void {
    this.scheduling = false;
    this.clearTimer();
    this.settle();
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private settle(): void {
    if (!this.scheduling && this.inFlight === 0) this.finish();
  }

  private result(): LoadResult {
    const summary = this.aggregator.summary();
    const warnings: string[] = [];
    if (summary.dropped > 0)
      warnings.push(
        `${summary.dropped} request(s) dropped: ${this.spec.maxInFlight} were already in flight ` +
          '(maxInFlight), the target answering too slowly for the rate',
      );
    if (this.maxLateMs > LATE_WARNING_MS)
      warnings.push(
        `the driver sent some requests up to ${this.maxLateMs.toFixed(0)} ms after their scheduled time ` +
          '(busy event loop); their latency includes the delay',
      );
    return { summary, buckets: this.aggregator.bucketList(), thresholds: [], warnings };
  }
}

/** The request's success test: its expected statuses, or 200–399 as k6 does by default. */
function expectation(statuses: readonly number[] | undefined): (status: number) => boolean {
  if (!statuses) return (status) => status >= 200 && status < 400;
  const set = new Set(statuses);
  return (status) => set.has(status);
}

/**
 * The body's text when it is small (the echo workload's answers are, and come without a
 * content-length), undefined otherwise. Read to the end either way, so the connection is reused.
 */
async function smallBody(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= POD_BODY_LIMIT) chunks.push(chunk);
  }
  return size <= POD_BODY_LIMIT ? Buffer.concat(chunks).toString() : undefined;
}

/** The echo workload answers `{"pod": "...", ...}`; anything else has no pod to tell. */
function podOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const body = JSON.parse(text) as { pod?: unknown } | null;
    return typeof body?.pod === 'string' && body.pod !== '' ? body.pod : undefined;
  } catch {
    return undefined;
  }
}
