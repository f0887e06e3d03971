import type { Scenario } from './scenario.js';

/** One share of a suite, as `--shard 2/3` names it: `index` counts from 1, `count` ≥ index. */
export interface Shard {
  index: number;
  count: number;
}

/** What `selectShard` took for a shard, and how it weighed the suite. */
export interface ShardSelection<S> {
  /** The shard's scenarios, in the order they were given. */
  scenarios: S[];
  /** How many scenarios the suite had in all. */
  total: number;
  /** The shard's share of the suite's weight (estimated milliseconds when durations were known). */
  weight: number;
  totalWeight: number;
  /** How many of the suite's scenarios had a recorded duration; 0: split by their order alone. */
  recorded: number;
}

/**
 * The share of `scenarios` that shard `shard` runs. Every scenario falls in exactly one of the
 * `shard.count` shards, and every shard computes the same split from the same inputs, on any
 * machine: it depends only on the scenarios' names and files and on `durations`, never on the
 * order the files were found in or on a clock.
 *
 * Balanced as the longest-processing-time rule does: heaviest scenario first, each into the shard
 * with the least weight so far (the lowest index on a tie). A scenario's weight is its recorded
 * duration (`durations`, by scenario name); one without a record weighs the mean of those with
 * one; with no record at all every scenario weighs the same, and the split is a round robin over
 * the scenarios sorted by name, so the shards differ in size by one at most.
 */
export function selectShard<S extends Pick<Scenario, 'name' | 'file'>>(
  scenarios: readonly S[],
  shard: Shard,
  durations: ReadonlyMap<string, number> = new Map(),
): ShardSelection<S> {
  if (!Number.isInteger(shard.count) || shard.count < 1)
    throw new RangeError(`shard count must be a whole number ≥ 1, not ${shard.count}`);
  if (!Number.isInteger(shard.index) || shard.index < 1 || shard.index > shard.count)
    throw new RangeError(`shard index must be between 1 and ${shard.count}, not ${shard.index}`);
  const known = scenarios
    .map((s) => durations.get(s.name))
    .filter((d): d is number => d !== undefined && Number.isFinite(d) && d >= 0);
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const weighed = scenarios.map((scenario, position) => {
    const d = durations.get(scenario.name);
    return {
      scenario,
      position,
      weight: d !== undefined && Number.isFinite(d) && d >= 0 ? d : mean,
    };
  });
  const order = [...weighed].sort(
    (a, b) =>
      b.weight - a.weight ||
      compare(a.scenario.name, b.scenario.name) ||
      compare(a.scenario.file, b.scenario.file),
  );
  const loads = new Array<number>(shard.count).fill(0);
  const mine: typeof weighed = [];
  for (const item of order) {
    let lightest = 0;
    for (let i = 1; i < loads.length; i++) if (loads[i]! < loads[lightest]!) lightest = i;
    loads[lightest]! += item.weight;
    if (lightest === shard.index - 1) mine.push(item);
  }
  mine.sort((a, b) => a.position - b.position);
  return {
    scenarios: mine.map((m) => m.scenario),
    total: scenarios.length,
    weight: loads[shard.index - 1]!,
    totalWeight: loads.reduce((a, b) => a + b, 0),
    recorded: known.length,
  };
}

/** Code-unit order, the same under every locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
