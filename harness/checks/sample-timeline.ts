import { inSpan, type Span } from './window-span.js';

/** The state of every tracked thing (workload, node) as of one moment: its latest sample. */
export interface TimelinePoint<S> {
  t: number;
  latest: ReadonlyMap<string, S>;
}

/**
 * Replays samples of several things over a span. The things tracked are those with a sample in
 * the span; each point holds, for each, its latest sample at or before the point. The first
 * point is at the span's start when some thing was sampled before it (its state carried in),
 * then one point per distinct sample time in the span.
 */
export function sampleTimeline<S extends { t: number }>(
  samples: readonly S[],
  keyOf: (sample: S) => string,
  span: Span,
): TimelinePoint<S>[] {
  const tracked = new Set(samples.filter((s) => inSpan(s.t, span)).map(keyOf));
  const ordered = samples.filter((s) => tracked.has(keyOf(s)) && s.t <= span[1]).sort((a, b) => a.t - b.t);
  const latest = new Map<string, S>();
  const points: TimelinePoint<S>[] = [];
  let i = 0;
  for (; i < ordered.length && ordered[i]!.t < span[0]; i++) latest.set(keyOf(ordered[i]!), ordered[i]!);
  if (latest.size > 0) points.push({ t: span[0], latest: new Map(latest) });
  while (i < ordered.length) {
    const t = ordered[i]!.t;
    for (; i < ordered.length && ordered[i]!.t === t; i++) latest.set(keyOf(ordered[i]!), ordered[i]!);
    points.push({ t, latest: new Map(latest) });
  }
  return points;
}

/**
 * Where the last stretch of points that all satisfy `holds` begins (the index into `points`),
 * or undefined when the last point does not hold.
 */
export function finalStretchStart<S>(
  points: readonly TimelinePoint<S>[],
  holds: (p: TimelinePoint<S>) => boolean,
) {
  let start: number | undefined;
  for (let i = points.length - 1; i >= 0 && holds(points[i]!); i--) start = i;
  return start;
}
