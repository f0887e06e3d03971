import { expect } from 'chai';
import { LoadAggregator, type LoadBucket } from '../load/index.js';
import { toLoadSeconds } from './load-seconds.js';

const kinds = { refused: 0, reset: 0, timeout: 0, http: 0, dns: 0, tls: 0, other: 0 };

describe('toLoadSeconds', () => {
  const runStartedAt = 1_700_000_000_000;
  const bucket: LoadBucket = {
    second: 0,
    startMs: runStartedAt + 5000,
    count: 9,
    ok: 7,
    failed: 2,
    dropped: 1,
    failuresByKind: { ...kinds, refused: 2 },
    failedByPod: { 'echo-1': 2 },
    p50Ms: 1.5,
    p90Ms: 3,
    p99Ms: 8,
    maxMs: 12.25,
  };

  it('times each second from the run’s start and carries the load, namespace, outcomes and latencies', () => {
    expect(toLoadSeconds('echo', 'tenant-a', [bucket], runStartedAt)).to.deep.equal([
      {
        t: 5000,
        load: 'echo',
        namespace: 'tenant-a',
        count: 10,
        ok: 7,
        failed: 2,
        dropped: 1,
        failures: { ...kinds, refused: 2 },
        failedByPod: { 'echo-1': 2 },
        latencyMs: { p50: 1.5, p90: 3, p99: 8, max: 12.25 },
      },
    ]);
  });

  it('counts dropped requests in count (ok + failed + dropped), unlike the bucket', () => {
    const [second] = toLoadSeconds('echo', undefined, [bucket], runStartedAt);
    expect(second!.count).to.equal(second!.ok + second!.failed + second!.dropped);
  });

  it('leaves the namespace out when the load has none', () => {
    const [second] = toLoadSeconds('echo', undefined, [bucket], runStartedAt);
    expect(second).to.not.have.property('namespace');
  });

  it('converts what the aggregator produces, empty seconds included', () => {
    const aggregator = new LoadAggregator({ driver: 'builtin', originMs: runStartedAt });
    const sample = { request: 'get', node: 'worker-1' };
    aggregator.add({
      ...sample,
      intendedStartMs: runStartedAt + 100,
      actualStartMs: runStartedAt + 100,
      latencyMs: 4,
      outcome: 'ok',
      status: 200,
    });
    aggregator.add({
      ...sample,
      intendedStartMs: runStartedAt + 2100,
      actualStartMs: runStartedAt + 2100,
      latencyMs: 0,
      outcome: 'dropped',
      status: 0,
    });
    const seconds = toLoadSeconds('echo', 'default', aggregator.bucketList(), runStartedAt);
    expect(seconds.map((s) => [s.t, s.count, s.ok, s.dropped])).to.deep.equal([
      [0, 1, 1, 0],
      [1000, 0, 0, 0],
      [2000, 1, 0, 1],
    ]);
  });
});
