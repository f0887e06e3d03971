import { expect } from 'chai';
import { tally, type Probe } from './probe-tally.js';

const ok = (startedAt: number, ms: number): Probe => ({ startedAt, ms, ok: true });
const failed = (startedAt: number, error: string): Probe => ({ startedAt, ms: 1000, ok: false, error });

describe('tally of probes', () => {
  it('counts the probes that started inside the window, however long they took', () => {
    const probes = [ok(999, 5), ok(1000, 10), failed(1500, 'HTTP 500: x'), ok(1999, 3000), ok(2000, 1)];
    const t = tally(probes, 1000, 2000);
    expect(t.requests).to.equal(3);
    expect(t.failed).to.equal(1);
    expect(t.availability).to.be.closeTo(2 / 3, 1e-9);
    expect(t.p50Ms).to.equal(1000);
    expect(t.maxMs).to.equal(3000);
  });

  it('says when the failures began and ended after the window opened, and quotes the first few in order', () => {
    const probes = [
      ...Array.from({ length: 8 }, (_, i) => failed(10_000 - i * 100, `e${7 - i}`)),
      ok(5000, 1),
    ];
    const t = tally(probes, 9000, 11_000);
    expect(t.failures).to.deep.equal(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(t.failedFromMs).to.equal(300);
    expect(t.failedUntilMs).to.equal(1000);
  });

  it('is whole availability without probes, and gives no times for an unbounded window', () => {
    expect(tally([], 0, 10)).to.include({ requests: 0, availability: 1, p99Ms: 0 });
    const t = tally([failed(5, 'x')], -Infinity, Infinity);
    expect(t.availability).to.equal(0);
    expect(t).not.to.have.property('failedFromMs');
  });
});
