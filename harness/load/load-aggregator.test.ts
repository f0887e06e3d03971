import { expect } from 'chai';
import { LoadAggregator } from './load-aggregator.js';
import type { LoadSample } from './load-sample.js';

const T0 = 1_700_000_000_000;

function sample(offsetMs: number, latencyMs: number, extra: Partial<LoadSample> = {}): LoadSample {
  return {
    intendedStartMs: T0 + offsetMs,
    actualStartMs: T0 + offsetMs,
    latencyMs,
    outcome: 'ok',
    status: 200,
    request: 'GET /',
    node: 'worker-1',
    ...extra,
  };
}

describe('load aggregator', () => {
  it('summarises counts, failures by kind, statuses and exact percentiles (HDR, microseconds)', () => {
    const agg = new LoadAggregator({ driver: 'builtin', originMs: T0 });
    // 100 ok answers of 1..100 ms, 2 refused, 1 answered 503, 1 dropped.
    for (let i = 1; i <= 100; i++) agg.add(sample(i * 10, i));
    agg.add(sample(5, 0.2, { outcome: 'failed', status: 0, error: 'refused', errorCode: 'ECONNREFUSED' }));
    agg.add(sample(15, 0.3, { outcome: 'failed', status: 0, error: 'refused', errorCode: 'ECONNREFUSED' }));
    agg.add(sample(25, 4, { outcome: 'failed', status: 503, error: 'http', errorCode: '503' }));
    agg.add(sample(35, 0, { outcome: 'dropped', status: 0 }));
    const s = agg.summary();
    expect(s.count).to.equal(103);
    expect(s.ok).to.equal(100);
    expect(s.failed).to.equal(3);
    expect(s.dropped).to.equal(1);
    expect(s.failuresByKind).to.deep.equal({
      refused: 2,
      reset: 0,
      timeout: 0,
      http: 1,
      dns: 0,
      tls: 0,
      other: 0,
    });
    expect(s.byStatus).to.deep.equal({ '0': 2, '200': 100, '503': 1 });
    expect(s.latencyMs.min).to.equal(0.2);
    expect(s.latencyMs.max).to.equal(100);
    // Nearest rank over 103 values: the 52nd is 49 ms, the 93rd 90 ms, the 102nd 99 ms.
    expect(s.latencyMs.p50).to.be.closeTo(49, 0.05);
    expect(s.latencyMs.p90).to.be.closeTo(90, 0.1);
    expect(s.latencyMs.p99).to.be.closeTo(99, 0.1);
    // From the first intended start (5 ms) to the last answer (1000 + 100 ms).
    expect(s.durationSeconds).to.equal(1.095);
  });

  it("counts each second's failed answers by the pod that gave them, and only failed ones", () => {
    const agg = new LoadAggregator({ driver: 'builtin', originMs: T0 });
    agg.add(sample(100, 1, { pod: 'echo-a' }));
    agg.add(sample(200, 1, { outcome: 'failed', status: 500, error: 'http', pod: 'echo-bad' }));
    agg.add(sample(300, 1, { outcome: 'failed', status: 500, error: 'http', pod: 'echo-bad' }));
    agg.add(sample(400, 1, { outcome: 'failed', status: 0, error: 'refused' }));
    agg.add(sample(1100, 1, { pod: 'echo-a' }));
    expect(agg.bucketList().map((b) => b.failedByPod)).to.deep.equal([{ 'echo-bad': 2 }, {}]);
  });

  it('buckets by intended start second, empty seconds included, each with its own percentiles', () => {
    const agg = new LoadAggregator({ driver: 'builtin', originMs: T0 });
    agg.add(sample(100, 2));
    agg.add(sample(900, 4));
    agg.add(sample(3500, 2000, { outcome: 'failed', status: 0, error: 'timeout' }));
    agg.add(sample(3600, 0, { outcome: 'dropped', status: 0 }));
    const buckets = agg.bucketList();
    expect(buckets.map((b) => [b.second, b.count, b.failed, b.dropped])).to.deep.equal([
      [0, 2, 0, 0],
      [1, 0, 0, 0],
      [2, 0, 0, 0],
      [3, 1, 1, 1],
    ]);
    expect(buckets[0]!.startMs).to.equal(T0);
    expect(buckets[0]!.p50Ms).to.equal(2);
    expect(buckets[0]!.maxMs).to.equal(4);
    expect(buckets[3]!.p99Ms).to.be.closeTo(2000, 2);
    expect(buckets[3]!.failuresByKind.timeout).to.equal(1);
    expect(JSON.parse(JSON.stringify(buckets))).to.deep.equal(buckets);
  });

  it('takes samples in any order: without an origin, seconds align on the first sample and count from the earliest', () => {
    const agg = new LoadAggregator({ driver: 'k6' });
    agg.add(sample(2500, 1));
    agg.add(sample(1200, 1));
    agg.add(sample(2600, 1));
    const buckets = agg.bucketList();
    expect(buckets.map((b) => [b.second, b.startMs - T0, b.count])).to.deep.equal([
      [0, 500, 1],
      [1, 1500, 0],
      [2, 2500, 2],
    ]);
  });
});
