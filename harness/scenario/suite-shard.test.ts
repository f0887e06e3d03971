import { expect } from 'chai';
import { selectShard, type Shard } from './suite-shard.js';

const suite = (names: string[]) => names.map((name) => ({ name, file: `scenarios/${name}.yaml` }));
const NAMES = ['watch-resume', 'probes', 'garbage-collection', 'resource-quota', 'taint', 'rbac', 'gc-2'];

function allShards<S extends { name: string; file: string }>(
  scenarios: readonly S[],
  count: number,
  durations?: ReadonlyMap<string, number>,
) {
  return Array.from({ length: count }, (_, i) => selectShard(scenarios, { index: i + 1, count }, durations));
}

describe('selectShard (crucible run --shard i/n)', () => {
  it('puts every scenario in exactly one shard, for any number of shards', () => {
    const scenarios = suite(NAMES);
    for (let count = 1; count <= NAMES.length + 2; count++) {
      const taken = allShards(scenarios, count).flatMap((s) => s.scenarios.map((x) => x.name));
      expect([...taken].sort(), `${count} shards`).to.deep.equal([...NAMES].sort());
    }
  });

  it('splits by name alone, whatever order the files were found in, when nothing was recorded', () => {
    const a = allShards(suite(NAMES), 3).map((s) => s.scenarios.map((x) => x.name).sort());
    const b = allShards(suite([...NAMES].reverse()), 3).map((s) => s.scenarios.map((x) => x.name).sort());
    expect(a).to.deep.equal(b);
    // Sorted by name, dealt round the shards: sizes differ by one at most.
    expect(a.map((s) => s.length)).to.deep.equal([3, 2, 2]);
    expect(a[0]).to.deep.equal(['garbage-collection', 'rbac', 'watch-resume']);
    expect(allShards(suite(NAMES), 3)[0]!.recorded).to.equal(0);
  });

  it('keeps the order the scenarios were given within a shard', () => {
    const { scenarios } = selectShard(suite(NAMES), { index: 1, count: 2 });
    const positions = scenarios.map((s) => NAMES.indexOf(s.name));
    expect(positions).to.deep.equal([...positions].sort((x, y) => x - y));
  });

  it('balances the shards by recorded durations, the longest first', () => {
    const durations = new Map([
      ['watch-resume', 90_000],
      ['probes', 60_000],
      ['garbage-collection', 30_000],
      ['resource-quota', 30_000],
      ['taint', 20_000],
      ['rbac', 10_000],
      ['gc-2', 10_000],
    ]);
    const shards = allShards(suite(NAMES), 2, durations);
    expect(shards.map((s) => s.weight)).to.deep.equal([130_000, 120_000]);
    // 90 | 60, 60+30, 90+30, 90+20, 110+10 (gc-2 before rbac by name), 120+10.
    expect(shards[0]!.scenarios.map((s) => s.name)).to.deep.equal(['watch-resume', 'resource-quota', 'rbac']);
    expect(shards[1]!.scenarios.map((s) => s.name)).to.deep.equal([
      'probes',
      'garbage-collection',
      'taint',
      'gc-2',
    ]);
    expect(shards[0]!.totalWeight).to.equal(250_000);
    expect(shards[0]!.recorded).to.equal(7);
    // By count alone the long ones could share a shard; by duration the worst shard is far shorter
    // than half the suite plus its longest scenario.
    expect(Math.max(...shards.map((s) => s.weight))).to.be.at.most(250_000 / 2 + 10_000);
  });

  it('weighs a scenario without a record as the mean of those with one', () => {
    const durations = new Map([
      ['watch-resume', 100_000],
      ['probes', 20_000],
    ]);
    const shards = allShards(suite(['watch-resume', 'probes', 'new-one']), 2, durations);
    // new-one weighs 60 s: it goes with probes, beside the 100 s scenario alone.
    expect(shards.map((s) => s.scenarios.map((x) => x.name))).to.deep.equal([
      ['watch-resume'],
      ['probes', 'new-one'],
    ]);
    expect(shards[1]!.weight).to.equal(80_000);
  });

  it('gives the same split on every call and leaves a shard beyond the suite empty', () => {
    const durations = new Map(NAMES.map((n, i) => [n, (i % 3) * 1000 + 500]));
    expect(allShards(suite(NAMES), 4, durations)).to.deep.equal(allShards(suite(NAMES), 4, durations));
    expect(selectShard(suite(['only']), { index: 2, count: 2 }).scenarios).to.deep.equal([]);
  });

  it('refuses a shard that does not exist', () => {
    const bad: Shard[] = [
      { index: 0, count: 2 },
      { index: 3, count: 2 },
      { index: 1, count: 0 },
      { index: 1.5, count: 2 },
    ];
    for (const shard of bad) expect(() => selectShard(suite(NAMES), shard)).to.throw(RangeError);
  });
});
