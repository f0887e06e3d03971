import { expect } from 'chai';
import { InFlightLimiter } from './in-flight-limiter.js';

describe('InFlightLimiter', () => {
  it('runs at most `limit` calls at once, the others in the order they came', async () => {
    const limiter = new InFlightLimiter(2);
    const started: number[] = [];
    const release: (() => void)[] = [];
    const calls = [0, 1, 2, 3].map((i) =>
      limiter.run(async () => {
        started.push(i);
        await new Promise<void>((r) => release.push(r));
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).to.deep.equal([0, 1]);
    expect([limiter.active, limiter.queued]).to.deep.equal([2, 2]);
    release[1]!();
    await new Promise((r) => setImmediate(r));
    expect(started).to.deep.equal([0, 1, 2]);
    release[0]!();
    await new Promise((r) => setImmediate(r));
    release[2]!();
    release[3]!();
    expect(await Promise.all(calls)).to.deep.equal([0, 1, 2, 3]);
    expect([limiter.active, limiter.queued]).to.deep.equal([0, 0]);
  });

  it('frees the place of a call that failed', async () => {
    const limiter = new InFlightLimiter(1);
    await limiter.run(() => Promise.reject(new Error('no'))).catch(() => undefined);
    expect(await limiter.run(() => Promise.resolve('next'))).to.equal('next');
  });
});
