import { formatDuration } from '../../reports/index.js';
import type { Shard, ShardSelection } from '../scenario/index.js';
import { UsageError } from './usage-error.js';

/**
 * `--shard i/n` as a Shard: i and n whole numbers, 1 ≤ i ≤ n, as Playwright's `--shard` takes
 * it. Throws a UsageError saying what would do instead.
 */
export function parseShardFlag(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match)
    throw new UsageError(
      'InvalidFlag',
      `--shard: "${text}" is not of the form i/n (the i-th of n shards, e.g. 2/3)`,
    );
  const [index, count] = [Number(match[1]), Number(match[2])];
  if (count < 1)
    throw new UsageError('InvalidFlag', `--shard ${text}: there must be at least one shard (n ≥ 1)`);
  if (index < 1 || index > count)
    throw new UsageError(
      'InvalidFlag',
      `--shard ${text}: shards count from 1 to ${count}, so i must be one of ${count === 1 ? '1' : `1 … ${count}`}`,
    );
  return { index, count };
}

/**
 * What a shard took, in one line for the progress: `shard 1/2: 3 of 7 scenarios, about 4 min of
 * 9 min by the durations recorded in crucible-runs: a, b, c`.
 */
export function shardLine(shard: Shard, selection: ShardSelection<{ name: string }>, out: string): string {
  const head = `shard ${shard.index}/${shard.count}: ${selection.scenarios.length} of ${selection.total} scenarios`;
  const how =
    selection.recorded === 0
      ? `split by name (no durations recorded in ${out})`
      : `about ${formatDuration(selection.weight)} of ${formatDuration(selection.totalWeight)} by the durations recorded in ${out}` +
        (selection.recorded < selection.total
          ? ` (${selection.total - selection.recorded} without one counted as the mean)`
          : '');
  const names = selection.scenarios.map((s) => s.name);
  return `${head}, ${how}${names.length ? `: ${names.join(', ')}` : ''}`;
}
