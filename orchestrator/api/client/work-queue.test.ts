import { expect } from 'chai';
import { ManualTimers } from './manual-timers.js';
import { WorkQueue } from './work-queue.js';

/** Lets promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WorkQueue', () => {
  let timers: ManualTimers;
  let queue: WorkQueue;

  beforeEach(() => {
    timers = new ManualTimers();
    queue = new WorkQueue({ timers });
  });
  afterEach(() => queue.shutDown());

  it('hands keys out first in, first out', async () => {
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/c');
    expect(queue.len).to.equal(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).to.deep.equal(['ns/a', 'ns/b', 'ns/c']);
    expect(queue.len).to.equal(0);
  });

  it('queues a key added several times while waiting only once, in its first place', async () => {
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    queue.add('ns/a');
    expect(queue.len).to.equal(2);
    expect(await queue.get()).to.equal('ns/a');
    expect(await queue.get()).to.equal('ns/b');
  });

  it('never hands a key being processed to a second worker', async () => {
    queue.add('ns/a');
    const first = await queue.get();
    queue.add('ns/a');
    expect(queue.len).to.equal(0);
    let second: string | undefined = 'nothing yet';
    void queue.get().then((key) => (second = key));
    await settle();
    expect(second).to.equal('nothing yet');
    queue.done(first!);
    await settle();
    expect(second).to.equal('ns/a');
  });

  it('requeues a key added during its processing once, when done is called', async () => {
    queue.add('ns/a');
    const key = (await queue.get())!;
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    queue.done(key);
    expect(queue.len).to.equal(2);
    expect(await queue.get()).to.equal('ns/b');
    expect(await queue.get()).to.equal('ns/a');
  });

  it('forgets a key processed without being added again', async () => {
    queue.add('ns/a');
    queue.done((await queue.get())!);
    expect(queue.len).to.equal(0);
  });

  it('wakes waiting workers in the order they asked', async () => {
    const got: string[] = [];
    void queue.get().then((k) => got.push(`w1:${k}`));
    void queue.get().then((k) => got.push(`w2:${k}`));
    queue.add('ns/a');
    queue.add('ns/b');
    await settle();
    expect(got).to.deep.equal(['w1:ns/a', 'w2:ns/b']);
  });

  it('adds a key after a delay, the earliest of several delays winning', async () => {
    queue.addAfter('ns/a', 100);
    queue.addAfter('ns/a', 50);
    queue.addAfter('ns/a', 200);
    timers.advance(49);
    expect(queue.len).to.equal(0);
    timers.advance(1);
    expect(queue.len).to.equal(1);
    timers.advance(500);
    expect(queue.len).to.equal(1);
    expect(timers.pendingCount).to.equal(0);
  });

  it('backs a rate-limited key off exponentially from 5 ms, up to the maximum', async () => {
    queue = new WorkQueue({ timers, maxDelayMs: 40 });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = timers.now();
      queue.addRateLimited('ns/a');
      while (queue.len === 0) timers.advance(1);
      delays.push(timers.now() - start);
      queue.done((await queue.get())!);
    }
    expect(delays).to.deep.equal([5, 10, 20, 40, 40, 40]);
    expect(queue.numRequeues('ns/a')).to.equal(6);
  });

  it('resets the back-off of a key on forget, and keeps keys apart', () => {
    queue = new WorkQueue({ timers, baseDelayMs: 10 });
    queue.addRateLimited('ns/a');
    queue.addRateLimited('ns/a');
    queue.addRateLimited('ns/b');
    expect(queue.numRequeues('ns/a')).to.equal(2);
    expect(queue.numRequeues('ns/b')).to.equal(1);
    queue.forget('ns/a');
    expect(queue.numRequeues('ns/a')).to.equal(0);
    expect(queue.numRequeues('ns/b')).to.equal(1);
    timers.advance(10);
    expect(queue.len).to.equal(2);
  });

  it('wakes waiting workers with undefined on shutdown and ignores later adds', async () => {
    const got: (string | undefined)[] = [];
    const workers = [queue.get().then((k) => got.push(k)), queue.get().then((k) => got.push(k))];
    queue.shutDown();
    await Promise.all(workers);
    expect(got).to.deep.equal([undefined, undefined]);
    queue.add('ns/a');
    expect(queue.len).to.equal(0);
    expect(await queue.get()).to.equal(undefined);
    expect(queue.shuttingDown).to.equal(true);
  });

  it('lets workers drain keys queued before shutdown, and cancels delayed adds', async () => {
    queue.add('ns/a');
    queue.addAfter('ns/b', 10);
    queue.addRateLimited('ns/c');
    queue.shutDown();
    queue.shutDown();
    expect(timers.pendingCount).to.equal(0);
    expect(await queue.get()).to.equal('ns/a');
    expect(await queue.get()).to.equal(undefined);
  });

  it('rejects a back-off whose maximum is below its base', () => {
    expect(() => new WorkQueue({ baseDelayMs: 10, maxDelayMs: 5 })).to.throw(RangeError);
  });
});
