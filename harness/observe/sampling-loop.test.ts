import { sleep } from '../support/index.js';
import { expect } from 'chai';
import { SamplingLoop } from './sampling-loop.js';

describe('SamplingLoop', () => {
  it('ticks at its rate, one tick at a time, and stop waits for the tick in flight', async () => {
    let running = 0;
    let overlapped = false;
    let ticks = 0;
    let finished = 0;
    const loop = new SamplingLoop(
      20,
      async () => {
        running++;
        overlapped ||= running > 1;
        ticks++;
        await sleep(30);
        running--;
        finished++;
      },
      () => undefined,
    );
    loop.start();
    loop.start();
    await sleep(130);
    await loop.stop();
    expect(overlapped).to.equal(false);
    expect(ticks).to.be.at.least(2);
    expect(finished).to.equal(ticks);
    await loop.stop();
  });

  it('hands a tick’s exception to onError and keeps going', async () => {
    const errors: unknown[] = [];
    let ticks = 0;
    const loop = new SamplingLoop(
      5,
      async () => {
        ticks++;
        throw new Error(`tick ${ticks}`);
      },
      (e) => errors.push(e),
    );
    loop.start();
    await sleep(40);
    await loop.stop();
    expect(ticks).to.be.greaterThan(1);
    expect(errors).to.have.length(ticks);
  });

  it('stops at once while waiting for the next slot, and never starts once stopped', async () => {
    let ticks = 0;
    const loop = new SamplingLoop(
      60_000,
      async () => void ticks++,
      () => undefined,
    );
    loop.start();
    const started = Date.now();
    await sleep(10);
    await loop.stop();
    expect(Date.now() - started).to.be.below(1000);
    loop.start();
    await sleep(10);
    expect(ticks).to.equal(1);
  });
});
