/**
 * The arithmetic behind the inline SVG charts: scales, ticks, downsampling, and SVG path strings.
 * Pure functions; the report model calls them so the templates only place what is computed here.
 */
import { formatOffset } from './format.js';

/** The horizontal geometry every timeline chart shares, so fault windows line up across charts. */
export interface TimeAxis {
  /** The run's span in ms since it started; [0, endT]. */
  endT: number;
  /** Left edge of the plot in SVG units. */
  left: number;
  /** Plot width in SVG units. */
  width: number;
}

/** A vertical scale: maps a value to a y in SVG units (top of the plot is `top`). */
export interface ValueScale {
  kind: 'linear' | 'log';
  min: number;
  max: number;
  top: number;
  height: number;
}

export interface Tick {
  /** Position along the axis in SVG units. */
  at: number;
  label: string;
}

/** A sample of a line; `v: null` is a gap (nothing measured), drawn as a break in the line. */
export interface Point {
  t: number;
  v: number | null;
}

/** How a bucket of points becomes one when a line is downsampled. */
export type Reduction = 'max' | 'min' | 'mean';

/** A stretch of a lane (node readiness, API probe) in one state. */
export interface LaneSegment<S extends string> {
  startT: number;
  endT: number;
  state: S;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** x of a moment, clamped to the plot so a late event cannot draw outside it. */
export function timeX(axis: TimeAxis, t: number): number {
  const span = axis.endT > 0 ? axis.endT : 1;
  const clamped = Math.min(Math.max(t, 0), span);
  return round1(axis.left + (clamped / span) * axis.width);
}

const TIME_STEPS_MS = [
  1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
  7_200_000, 21_600_000,
];

/** Round-numbered ticks along the time axis, at most `maxTicks` of them. */
export function timeTicks(axis: TimeAxis, maxTicks = 10): Tick[] {
  const step =
    TIME_STEPS_MS.find((s) => axis.endT / s <= maxTicks) ??
    Math.ceil(axis.endT / maxTicks / 3_600_000) * 3_600_000;
  const ticks: Tick[] = [];
  for (let t = 0; t <= axis.endT; t += step) ticks.push({ at: timeX(axis, t), label: formatOffset(t) });
  return ticks;
}

/**
 * A linear scale from 0 to the first multiple of a round step (1, 2, 2.5 or 5 × 10^k) above
 * `maxValue`, leaving room over the top line so a flat line does not hide in the frame.
 */
export function linearScale(maxValue: number, top: number, height: number): ValueScale {
  const value = Math.max(maxValue, 1);
  const step = niceCeil(value / 4);
  return { kind: 'linear', min: 0, max: step * Math.ceil((value * 1.05) / step), top, height };
}

/**
 * A log10 scale covering [minPositive, maxValue] in whole decades, for latency where p50 and p99
 * differ by orders of magnitude.
 */
export function logScale(minPositive: number, maxValue: number, top: number, height: number): ValueScale {
  // No positive value at all (a run without load) gives Infinity here: the scale is then 1–10.
  const floor = Number.isFinite(minPositive) ? minPositive : 1;
  const lo = 10 ** Math.floor(Math.log10(Math.max(floor, 0.1)));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(maxValue, floor, 1)));
  if (hi <= lo) hi = lo * 10;
  return { kind: 'log', min: lo, max: hi, top, height };
}

/** y of a value; values outside the scale are clamped to its edges. */
export function valueY(scale: ValueScale, v: number): number {
  let f: number;
  if (scale.kind === 'log') {
    const lv = Math.log10(Math.max(v, scale.min));
    f = (lv - Math.log10(scale.min)) / (Math.log10(scale.max) - Math.log10(scale.min));
  } else {
    f = (v - scale.min) / (scale.max - scale.min || 1);
  }
  f = Math.min(Math.max(f, 0), 1);
  return round1(scale.top + scale.height * (1 - f));
}

/** Ticks on a value scale: each decade on a log scale, about four round steps on a linear one. */
export function valueTicks(scale: ValueScale, label: (v: number) => string): Tick[] {
  const values: number[] = [];
  if (scale.kind === 'log') {
    for (let v = scale.min; v <= scale.max * 1.0001; v *= 10) values.push(v);
  } else {
    // The same step linearScale rounded its top to, so the top is a tick.
    let step = niceCeil(scale.max / 5);
    while (Math.abs(scale.max / step - Math.round(scale.max / step)) > 1e-9) step = niceCeil(step * 1.0001);
    for (let i = 0; i * step <= scale.max + step / 1000; i++) values.push(i * step);
  }
  return values.map((v) => ({ at: valueY(scale, v), label: label(v) }));
}

/**
 * At most `maxPoints` points, by cutting the time span into equal buckets and reducing each to
 * one point at its first sample's time. `max` keeps spikes (errors, latency), `min` keeps dips
 * (ready replicas). Lines sampled on the same times are bucketed identically, so stacked lines
 * stay stacked. A bucket whose points are all gaps stays a gap.
 */
export function downsample(points: readonly Point[], maxPoints: number, reduce: Reduction): Point[] {
  if (points.length <= maxPoints) return [...points];
  const first = points[0].t;
  const span = points[points.length - 1].t - first;
  const bucketWidth = span / maxPoints || 1;
  const out: Point[] = [];
  let bucket = -1;
  let t = 0;
  let values: number[] = [];
  const flush = () => {
    if (bucket < 0) return;
    out.push({ t, v: values.length ? reduceValues(values, reduce) : null });
  };
  for (const p of points) {
    const b = Math.min(Math.floor((p.t - first) / bucketWidth), maxPoints - 1);
    if (b !== bucket) {
      flush();
      bucket = b;
      t = p.t;
      values = [];
    }
    if (p.v !== null) values.push(p.v);
  }
  flush();
  return out;
}

function reduceValues(values: number[], reduce: Reduction): number {
  if (reduce === 'max') return values.reduce((a, b) => (b > a ? b : a));
  if (reduce === 'min') return values.reduce((a, b) => (b < a ? b : a));
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** An SVG path through the points; a gap starts a new sub-path. `step` draws a step line. */
export function linePath(points: readonly Point[], axis: TimeAxis, scale: ValueScale, step = false): string {
  const parts: string[] = [];
  let drawing = false;
  for (const p of points) {
    if (p.v === null) {
      drawing = false;
      continue;
    }
    const x = timeX(axis, p.t);
    const y = valueY(scale, p.v);
    if (!drawing) parts.push(`M${x} ${y}`);
    else if (step) parts.push(`H${x}V${y}`);
    else parts.push(`L${x} ${y}`);
    drawing = true;
  }
  return parts.join('');
}

/**
 * A closed SVG path for the band between two lines sampled on the same times (a stacked area):
 * along `upper`, back along `lower`. Gaps count as 0.
 */
export function bandPath(
  upper: readonly Point[],
  lower: readonly Point[] | null,
  axis: TimeAxis,
  scale: ValueScale,
): string {
  if (upper.length === 0) return '';
  const top = upper.map((p) => `${timeX(axis, p.t)} ${valueY(scale, p.v ?? 0)}`);
  const bottom = (lower ?? upper.map((p) => ({ t: p.t, v: 0 })))
    .map((p) => `${timeX(axis, p.t)} ${valueY(scale, p.v ?? 0)}`)
    .reverse();
  return `M${top.join('L')}L${bottom.join('L')}Z`;
}

/**
 * Samples of a state (one per sample time) as segments: each sample holds until the next one; the
 * last holds for one typical sampling interval. Where there are more than `maxSegments`, the span
 * is cut into that many buckets and each shows the worst state in it (`severity` orders states),
 * so a short outage is never averaged away.
 */
export function laneSegments<S extends string>(
  samples: readonly { t: number; state: S }[],
  endT: number,
  severity: (s: S) => number,
  maxSegments: number,
): LaneSegment<S>[] {
  if (samples.length === 0) return [];
  const interval = typicalInterval(samples.map((s) => s.t));
  const raw: LaneSegment<S>[] = samples.map((s, i) => ({
    startT: s.t,
    endT: i + 1 < samples.length ? samples[i + 1].t : Math.min(endT, s.t + interval),
    state: s.state,
  }));
  const segments = mergeRuns(raw);
  if (segments.length <= maxSegments) return segments;
  const start = segments[0].startT;
  const width = (segments[segments.length - 1].endT - start) / maxSegments;
  const worst: (S | null)[] = new Array<S | null>(maxSegments).fill(null);
  const bucketOf = (t: number) => Math.min(Math.max(Math.floor((t - start) / width), 0), maxSegments - 1);
  for (const seg of segments) {
    // A segment ending exactly on a boundary does not reach into the next bucket.
    const last = bucketOf(seg.endT - width * 1e-9);
    for (let b = bucketOf(seg.startT); b <= last; b++) {
      const w = worst[b];
      if (w === null || severity(seg.state) > severity(w)) worst[b] = seg.state;
    }
  }
  const buckets: LaneSegment<S>[] = [];
  worst.forEach((state, b) => {
    if (state !== null) buckets.push({ startT: start + b * width, endT: start + (b + 1) * width, state });
  });
  return mergeRuns(buckets);
}

function mergeRuns<S extends string>(segments: readonly LaneSegment<S>[]): LaneSegment<S>[] {
  const out: LaneSegment<S>[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.state === s.state && last.endT >= s.startT) last.endT = Math.max(last.endT, s.endT);
    else out.push({ ...s });
  }
  return out;
}

/** The median gap between sample times (1 s when there is only one sample). */
export function typicalInterval(times: readonly number[]): number {
  if (times.length < 2) return 1000;
  const gaps = times
    .slice(1)
    .map((t, i) => t - times[i])
    .sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] || 1000;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above n. */
export function niceCeil(n: number): number {
  if (n <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * magnitude >= n - 1e-9) return f * magnitude;
  return 10 * magnitude;
}
