import { expect } from 'chai';
import { ManualTimers } from './manual-timers.js';
import { runEvery } from './timer-scheduler.js';

/** Lets the awaited pass and the loop's next step run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('runEvery', () => {
  it('runs a pass at once and then once per period, until the signal aborts', async () => {
    const timers = new ManualTimers();
    const abort = new AbortController();
    const passes: number[] = [];
    const loop = runEvery(
      timers,
      1000,
      abort.signal,
      async () => passes.push(timers.now()),
      () => undefined,
    );
    await settle();
    expect(passes).to.deep.equal([0]);
    timers.advance(999);
    await settle();
    expect(passes).to.deep.equal([0]);
    timers.advance(1);
    await settle();
    timers.advance(1000);
    await settle();
    expect(passes).to.deep.equal([0, 1000, 2000]);
    abort.abort();
    await loop;
    expect(timers.pendingCount, 'the sleep is cancelled').to.equal(0);
    timers.advance(5000);
    await settle();
    expect(passes).to.have.length(3);
  });

  it('hands a failed pass to onError and goes on', async () => {
    const timers = new ManualTimers();
    const abort = new AbortController();
    const failures: string[] = [];
    let pass = 0;
    const loop = runEvery(
      timers,
      100,
      abort.signal,
      async () => {
        if (++pass === 1) throw new Error('etcd unavailable');
      },
      (e) => failures.push(e.message),
    );
    await settle();
    timers.advance(100);
    await settle();
    expect(pass).to.equal(2);
    expect(failures).to.deep.equal(['etcd unavailable']);
    abort.abort();
    await loop;
  });

  it('does not run at all when the signal has already aborted', async () => {
    let passes = 0;
    await runEvery(
      new ManualTimers(),
      100,
      AbortSignal.abort(),
      async () => passes++,
      () => undefined,
    );
    expect(passes).to.equal(0);
  });
});
