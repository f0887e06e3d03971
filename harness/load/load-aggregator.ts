import * as hdr from 'hdr-histogram-js';
import { LOAD_ERROR_KINDS, type LoadErrorKind, type LoadSample } from './load-sample.js';
import type { LoadBucket, LoadProgress, LoadSummary } from './load-summary.js';

export interface LoadAggregatorOptions {
  driver: LoadSummary['driver'];
  /**
   * The run's start: bucket 0 begins here. Without it, the first sample's intended start is the
   * origin, and buckets of samples that started earlier (k6 writes samples as requests end) are
   * numbered from the earliest.
   */
  originMs?: number;
}

interface Bucket {
  count: number;
  ok: number;
  failed: number;
  dropped: number;
  failuresByKind: Record<LoadErrorKind, number>;
  failedByPod: Record<string, number>;
  /** Packed: a run holds one per second, and most of their counts are zero. */
  histogram: hdr.Histogram;
  maxUs: number;
}

/**
 * Folds samples, in any order, into the run's summary and its 1 s buckets. Latencies go into
 * HDR histograms in microseconds, so percentiles are exact to 3 significant digits without
 * keeping the samples; min, max and mean are kept exactly.
 */
export class LoadAggregator {
  private readonly histogram = hdr.build({ numberOfSignificantValueDigits: 3 });
  private readonly buckets = new Map<number, Bucket>();
  private readonly byStatus: Record<string, number> = {};
  private readonly failuresByKind = zeroKinds();
  private origin: number | undefined;
  private count = 0;
  private ok = 0;
  private failed = 0;
  private dropped = 0;
  private sumUs = 0;
  private minUs = Infinity;
  private maxUs = 0;
  private firstStartMs = Infinity;
  private lastEndMs = -Infinity;
  private lastProgress: { atMs: number; completed: number } | undefined;

  constructor(private readonly options: LoadAggregatorOptions) {
    this.origin = options.originMs;
  }

  add(sample: LoadSample): void {
    this.origin ??= sample.intendedStartMs;
    const bucket = this.bucketOf(sample.intendedStartMs);
    this.firstStartMs = Math.min(this.firstStartMs, sample.intendedStartMs);
    if (sample.outcome === 'dropped') {
      this.dropped++;
      bucket.dropped++;
      return;
    }
    const us = Math.max(0, Math.round(sample.latencyMs * 1000));
    this.count++;
    bucket.count++;
    this.histogram.recordValue(us);
    bucket.histogram.recordValue(us);
    this.sumUs += us;
    this.minUs = Math.min(this.minUs, us);
    this.maxUs = Math.max(this.maxUs, us);
    bucket.maxUs = Math.max(bucket.maxUs, us);
    this.lastEndMs = Math.max(this.lastEndMs, sample.intendedStartMs + sample.latencyMs);
    const status = String(sample.status);
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    if (sample.outcome === 'ok') {
      this.ok++;
      bucket.ok++;
    } else {
      const kind = sample.error ?? 'other';
      this.failed++;
      bucket.failed++;
      this.failuresByKind[kind]++;
      bucket.failuresByKind[kind]++;
      if (sample.pod !== undefined)
        bucket.failedByPod[sample.pod] = (bucket.failedByPod[sample.pod] ?? 0) + 1;
    }
  }

  /**
   * The run so far. `rate` and `durationSeconds` come from the samples unless the driver knows
   * better (k6 reports its own rate).
   */
  summary(overrides: { rate?: number } = {}): LoadSummary {
    const durationMs = this.count > 0 ? this.lastEndMs - this.firstStartMs : 0;
    const durationSeconds = round(durationMs / 1000, 3);
    const at = (p: number) => this.histogram.getValueAtPercentile(p) / 1000;
    return {
      driver: this.options.driver,
      durationSeconds,
      count: this.count,
      rate: round(overrides.rate ?? (durationSeconds > 0 ? this.count / durationSeconds : 0), 3),
      ok: this.ok,
      failed: this.failed,
      dropped: this.dropped,
      failuresByKind: { ...this.failuresByKind },
      byStatus: { ...this.byStatus },
      latencyMs: {
        min: this.count > 0 ? this.minUs / 1000 : 0,
        mean: this.count > 0 ? round(this.sumUs / this.count / 1000, 3) : 0,
        p50: at(50),
        p90: at(90),
        p99: at(99),
        max: this.maxUs / 1000,
      },
    };
  }

  /** One bucket per second from the first to the last, empty seconds included, in order. */
  bucketList(): LoadBucket[] {
    if (this.buckets.size === 0 || this.origin === undefined) return [];
    const indices = [...this.buckets.keys()];
    const first = Math.min(...indices);
    const last = Math.max(...indices);
    const out: LoadBucket[] = [];
    for (let i = first; i <= last; i++) {
      const b = this.buckets.get(i);
      const at = (p: number) => (b ? b.histogram.getValueAtPercentile(p) / 1000 : 0);
      out.push({
        second: i - first,
        startMs: this.origin + i * 1000,
        count: b?.count ?? 0,
        ok: b?.ok ?? 0,
        failed: b?.failed ?? 0,
        dropped: b?.dropped ?? 0,
        failuresByKind: b ? { ...b.failuresByKind } : zeroKinds(),
        failedByPod: b ? { ...b.failedByPod } : {},
        p50Ms: at(50),
        p90Ms: at(90),
        p99Ms: at(99),
        maxMs: b ? b.maxUs / 1000 : 0,
      });
    }
    return out;
  }

  /** Totals so far, and the answers per second since the previous call. */
  progress(nowMs: number): LoadProgress {
    const completed = this.count + this.dropped;
    const previous = this.lastProgress ?? { atMs: this.origin ?? nowMs, completed: 0 };
    const seconds = (nowMs - previous.atMs) / 1000;
    this.lastProgress = { atMs: nowMs, completed };
    return {
      elapsedSeconds: this.origin === undefined ? 0 : Math.max(0, (nowMs - this.origin) / 1000),
      count: this.count,
      ok: this.ok,
      failed: this.failed,
      dropped: this.dropped,
      lastSecondRate: seconds > 0 ? Math.round((completed - previous.completed) / seconds) : 0,
      failuresByKind: { ...this.failuresByKind },
      p99Ms: this.histogram.getValueAtPercentile(99) / 1000,
    };
  }

  private bucketOf(intendedStartMs: number): Bucket {
    const index = Math.floor((intendedStartMs - this.origin!) / 1000);
    let bucket = this.buckets.get(index);
    if (!bucket) {
      bucket = {
        count: 0,
        ok: 0,
        failed: 0,
        dropped: 0,
        failuresByKind: zeroKinds(),
        failedByPod: {},
        histogram: hdr.build({ bitBucketSize: 'packed', numberOfSignificantValueDigits: 3 }),
        maxUs: 0,
      };
      this.buckets.set(index, bucket);
    }
    return bucket;
  }
}

export function zeroKinds(): Record<LoadErrorKind, number> {
  return Object.fromEntries(LOAD_ERROR_KINDS.map((k) => [k, 0])) as Record<LoadErrorKind, number>;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
