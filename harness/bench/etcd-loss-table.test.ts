import { expect } from 'chai';
import type { EtcdLossBenchResult } from './etcd-loss-bench.js';
import { etcdLossTable } from './etcd-loss-table.js';
import { tally, type Probe } from './probe-tally.js';

/** `n` probes a second for `seconds` from `from`, the ones in `failing` ([from, to) ms) failed. */
function probes(from: number, seconds: number, n: number, failing?: [number, number]): Probe[] {
  return Array.from({ length: seconds * n }, (_, i) => {
    const startedAt = from + (i * 1000) / n;
    const bad = failing && startedAt >= failing[0] && startedAt < failing[1];
    return bad ? { startedAt, ms: 1000, ok: false, error: 'HTTP 504: etcd' } : { startedAt, ms: 8, ok: true };
  });
}

function result(failing?: [number, number]): EtcdLossBenchResult {
  const reads = [...probes(0, 5, 20), ...probes(10_000, 15, 20, failing)];
  const writes = [...probes(0, 5, 10), ...probes(10_000, 15, 10)];
  const loss = (list: Probe[]) => tally(list, 10_000, 25_000);
  return {
    provider: 'docker',
    lossMs: 15_000,
    probeRate: 20,
    writeRate: 10,
    rounds: [{ member: 'etcd-0', reads: loss(reads), writes: loss(writes) }],
    reads: tally(reads, 10_000, 25_000),
    writes: tally(writes, 10_000, 25_000),
    floor: { reads: tally(reads, 0, 5000), writes: tally(writes, 0, 5000) },
  };
}

describe('etcd member loss table', () => {
  it('puts each round beside the floor with every member up, and says the target was met', () => {
    const lines = etcdLossTable(result(), 0.995);
    expect(lines.find((l) => l.includes('floor: all up'))).to.match(/100\/100\s+100\.00%\s+8\s+50\/50/);
    expect(lines.find((l) => l.includes('etcd-0 lost'))).to.match(/300\/300\s+100\.00%/);
    expect(lines.join('\n')).to.include('100.00%   target ≥ 99.50% met');
    expect(lines.join('\n')).not.to.include('failures:');
  });

  it('says when the reads failed after the kill, quotes why, and misses the target below it', () => {
    // 2 s of 15 s failing: 40 of 300 reads.
    const lines = etcdLossTable(result([11_000, 13_000]), 0.995);
    expect(lines.find((l) => l.includes('etcd-0 lost'))).to.match(/260\/300\s+86\.67%/);
    expect(lines).to.include('    reads failed from 1000 ms to 2950 ms after the kill');
    expect(lines.join('\n')).to.include('86.67%   target ≥ 99.50% MISSED');
    expect(lines.find((l) => l.startsWith('  failures:'))).to.include('read: HTTP 504: etcd');
  });
});
