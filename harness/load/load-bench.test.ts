import { expect } from 'chai';
import { benchBuiltinDriver } from './load-bench.js';

// The figure itself is measured by `crucible bench`; this only checks what the bench reports.
describe('builtin driver bench', () => {
  it('drives an echo server on 127.0.0.1 and reports rate, drops, percentiles and its own lateness', async () => {
    const lines: string[] = [];
    const r = await benchBuiltinDriver({ rate: 200, durationSeconds: 1, progress: (l) => lines.push(l) });
    expect(r).to.include({ targetRate: 200, durationSeconds: 1, scheduled: 200, failed: 0 });
    expect(r.sent + r.dropped).to.equal(200);
    expect(r.achievedRate).to.be.greaterThan(100);
    expect(r.p50Ms).to.be.greaterThan(0);
    expect(r.p99Ms).to.be.at.least(r.p50Ms);
    expect(r.maxMs).to.be.at.least(r.p99Ms);
    expect(r.sendLagP99Ms).to.be.at.least(r.sendLagP50Ms);
    expect(lines[0]).to.match(/^builtin driver: 200 req\/s for 1 s against http:\/\/127\.0\.0\.1:\d+$/);
  });
});
