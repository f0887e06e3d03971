import { expect } from 'chai';
import { parseShardFlag } from './shard-flag.js';
import { UsageError } from './usage-error.js';

function problem(text: string): string {
  try {
    parseShardFlag(text);
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError).with.property('code', 'InvalidFlag');
    return (e as Error).message;
  }
  throw new Error(`--shard ${text} was accepted`);
}

describe('crucible run --shard i/n', () => {
  it('takes the i-th of n shards', () => {
    expect(parseShardFlag('1/2')).to.deep.equal({ index: 1, count: 2 });
    expect(parseShardFlag('3/3')).to.deep.equal({ index: 3, count: 3 });
    expect(parseShardFlag('1/1')).to.deep.equal({ index: 1, count: 1 });
  });

  it('refuses what names no shard, saying what would do', () => {
    expect(problem('0/2')).to.equal('--shard 0/2: shards count from 1 to 2, so i must be one of 1 … 2');
    expect(problem('3/2')).to.equal('--shard 3/2: shards count from 1 to 2, so i must be one of 1 … 2');
    expect(problem('1/0')).to.equal('--shard 1/0: there must be at least one shard (n ≥ 1)');
    for (const bad of ['x/y', '1', '1/2/3', '-1/2', '1.5/2', ''])
      expect(problem(bad)).to.match(/is not of the form i\/n/);
  });
});
