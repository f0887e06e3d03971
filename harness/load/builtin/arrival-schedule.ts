import type { ArrivalProfile } from '../load-spec.js';

interface Segment {
  startMs: number;
  durationMs: number;
  /** Requests per second at the segment's start and end; linear in between. */
  from: number;
  to: number;
  /** Arrivals due before the segment starts (a real number: the rate's integral). */
  before: number;
}

/**
 * When each request of an open model is due, in milliseconds from the run's start: arrival k
 * comes when the integral of the rate reaches k (k = 0, 1, 2, …), so a constant 10/s gives
 * 0, 100, 200, … and a ramp spaces them closer as the rate climbs, as k6's arrival-rate
 * executors do. The interval is half-open: a constant rate r for d seconds gives r·d arrivals
 * (k6 also starts one at the very end, so it reports one more).
 */
export class ArrivalSchedule {
  private readonly segments: Segment[] = [];
  private readonly total: number;
  private segment = 0;
  private k = 0;

  constructor(profile: ArrivalProfile) {
    const parts =
      profile.kind === 'constant'
        ? [{ durationMs: profile.durationMs, from: profile.rate, to: profile.rate }]
        : profile.stages.map((s, i) => ({
            durationMs: s.durationMs,
            from: i === 0 ? profile.startRate : profile.stages[i - 1]!.target,
            to: s.target,
          }));
    let startMs = 0;
    let before = 0;
    for (const p of parts) {
      this.segments.push({ ...p, startMs, before });
      startMs += p.durationMs;
      before += ((p.from + p.to) / 2) * (p.durationMs / 1000);
    }
    this.total = before;
  }

  /** How many arrivals the whole profile holds. */
  get count(): number {
    return Math.max(0, Math.ceil(this.total - 1e-9));
  }

  /** The next arrival's offset in milliseconds, or undefined when the profile is over. */
  next(): number | undefined {
    if (this.k >= this.count) return undefined;
    const k = this.k++;
    while (this.segment < this.segments.length - 1 && k >= this.endOf(this.segments[this.segment]!) - 1e-9)
      this.segment++;
    const s = this.segments[this.segment]!;
    return s.startMs + offsetWithin(s, k - s.before);
  }

  private endOf(s: Segment): number {
    return s.before + ((s.from + s.to) / 2) * (s.durationMs / 1000);
  }
}

/**
 * The time (ms into the segment) at which `n` arrivals have come: solves
 * from·t + (to − from)·t²/(2D) = n for t in seconds.
 */
function offsetWithin(s: Segment, n: number): number {
  if (n <= 0) return 0;
  const d = s.durationMs / 1000;
  const slope = (s.to - s.from) / d;
  const seconds =
    Math.abs(slope) < 1e-12
      ? n / s.from
      : (-s.from + Math.sqrt(Math.max(0, s.from * s.from + 2 * slope * n))) / slope;
  return Math.min(s.durationMs, seconds * 1000);
}
