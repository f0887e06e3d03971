import { seededRandom } from '../support/index.js';
import type { ScheduledFault } from './scenario.js';

/** A scenario's random nemesis, decoded (durations in milliseconds): `count` faults, one every `intervalMs`. */
export interface NemesisSpec {
  /** Fault types to draw from; each must take empty options. */
  types: string[];
  /** When the first fault starts, from the start of the faults phase. */
  startMs: number;
  /** Time between one fault's start and the next one's. */
  intervalMs: number;
  /** Each fault's `for`. */
  durationMs: number;
  count: number;
  /** The target expression of every fault, resolved when each is injected. */
  target: string;
}

/** The id of the n-th (from 1) fault of a nemesis; ids do not depend on the seed. */
export function nemesisFaultId(n: number): string {
  return `nemesis-${n}`;
}

/**
 * Expands a nemesis into concrete faults: fault i (from 0) is `nemesis-<i+1>`, starts at
 * `startMs + i * intervalMs`, lasts `durationMs`, and has a type drawn from `types` by a random
 * source seeded with `seed`. Pure: the same spec and seed give the same schedule.
 */
export function expandNemesis(nemesis: NemesisSpec, seed: number): ScheduledFault[] {
  if (nemesis.types.length === 0) throw new RangeError('a nemesis needs at least one fault type');
  const random = seededRandom(seed);
  return Array.from({ length: nemesis.count }, (_, i) => ({
    id: nemesisFaultId(i + 1),
    type: nemesis.types[Math.floor(random() * nemesis.types.length)]!,
    target: nemesis.target,
    options: {},
    atMs: nemesis.startMs + i * nemesis.intervalMs,
    forMs: nemesis.durationMs,
  }));
}
