import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseLoopbackSlot, reserveLoopbackSlot, slotOf } from './loopback-slot.js';

describe('loopback slots', () => {
  let home: string;
  const previousHome = process.env.CRUCIBLE_HOME;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-slots-'));
    process.env.CRUCIBLE_HOME = home;
  });
  after(async () => {
    if (previousHome === undefined) delete process.env.CRUCIBLE_HOME;
    else process.env.CRUCIBLE_HOME = previousHome;
    await rm(home, { recursive: true, force: true });
  });

  it('gives runs reserving at the same moment slots of their own, and takes each back on release', async () => {
    const names = ['slot-a', 'slot-b', 'slot-c', 'slot-d'].map((n) => `${n}-${process.pid}`);
    const slots = await Promise.all(names.map((n) => reserveLoopbackSlot(n)));
    expect(new Set(slots).size, `slots ${slots.join(', ')}`).to.equal(4);
    await releaseLoopbackSlot(slots[0]!, names[0]!);
    expect(await reserveLoopbackSlot(names[0]!), 'a released slot is free again').to.equal(slots[0]);
    for (const [i, slot] of slots.entries()) await releaseLoopbackSlot(slot, names[i]!);
  });

  it('takes over a slot whose owner died before its cluster had a record', async () => {
    const name = `slot-crashed-${process.pid}`;
    const slot = await reserveLoopbackSlot(name);
    // What a SIGKILLed `crucible up` leaves: its reservation, naming a process that is gone.
    const file = join(tmpdir(), 'crucible-slots', `${slot}.json`);
    await writeFile(
      file,
      JSON.stringify({ pid: 2 ** 22 + 1, bootId: 'x', cluster: 'gone', dir: join(home, 'gone') }),
    );
    expect(await reserveLoopbackSlot(name)).to.equal(slot);
    await releaseLoopbackSlot(slot, name);
  });

  it('reads a cluster’s slot from its apiserver’s address', () => {
    expect(slotOf('https://127.0.7.254:6443')).to.equal(7);
  });
});
