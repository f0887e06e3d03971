import { expect } from 'chai';
import { NANOSECONDS_PER_TICK, nanoCores, nextContainerUsage } from './container-usage.js';
import type { ProcessSample } from './process-groups.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const proc = (pid: number, cpuTicks: number, rssBytes = 0, startTicks = '100'): ProcessSample => ({
  pid,
  startTicks,
  cpuTicks,
  rssBytes,
});

describe('nextContainerUsage', () => {
  it('has no rate at the first sample, only the CPU time used so far and the resident memory', () => {
    const usage = nextContainerUsage(undefined, [proc(10, 30, 4096), proc(11, 2, 8192)], at(0));
    expect(usage.usageCoreNanoSeconds).to.equal(32 * NANOSECONDS_PER_TICK);
    expect(usage.usageNanoCores).to.equal(undefined);
    expect(usage.windowMs).to.equal(undefined);
    expect(usage.rssBytes).to.equal(12_288);
  });

  it('is the growth of CPU time over the window: a process busy half of one second uses half a core', () => {
    const first = nextContainerUsage(undefined, [proc(10, 100)], at(0));
    const second = nextContainerUsage(first, [proc(10, 150)], at(1));
    expect(second.usageNanoCores).to.equal(500_000_000);
    expect(second.windowMs).to.equal(1000);
    expect(second.usageCoreNanoSeconds).to.equal(150 * NANOSECONDS_PER_TICK);
  });

  it('adds the processes of the group together, two busy processes making two cores', () => {
    const first = nextContainerUsage(undefined, [proc(10, 0), proc(11, 0)], at(0));
    const second = nextContainerUsage(first, [proc(10, 200), proc(11, 200)], at(2));
    expect(second.usageNanoCores).to.equal(2_000_000_000);
  });

  it('counts all of a process first seen in the window, which started within it', () => {
    const first = nextContainerUsage(undefined, [proc(10, 100)], at(0));
    const second = nextContainerUsage(first, [proc(10, 100), proc(12, 25)], at(1));
    expect(second.usageNanoCores).to.equal(250_000_000);
  });

  it('never goes back when a process exits: its CPU time stays counted', () => {
    const first = nextContainerUsage(undefined, [proc(10, 100), proc(11, 400)], at(0));
    const second = nextContainerUsage(first, [proc(10, 110)], at(1));
    expect(second.usageCoreNanoSeconds).to.equal(510 * NANOSECONDS_PER_TICK);
    expect(second.usageNanoCores).to.equal(100_000_000);
  });

  it('takes a recycled pid for a new process, not for the old one going back in time', () => {
    const first = nextContainerUsage(undefined, [proc(10, 500, 0, '100')], at(0));
    const second = nextContainerUsage(first, [proc(10, 20, 0, '900')], at(1));
    expect(second.usageNanoCores).to.equal(200_000_000);
    expect(second.usageCoreNanoSeconds).to.equal(520 * NANOSECONDS_PER_TICK);
  });

  it('reports an idle container as using nothing, and one whose processes are all gone likewise', () => {
    const first = nextContainerUsage(undefined, [proc(10, 3)], at(0));
    expect(nextContainerUsage(first, [proc(10, 3)], at(15)).usageNanoCores).to.equal(0);
    const gone = nextContainerUsage(first, [], at(15));
    expect(gone.usageNanoCores).to.equal(0);
    expect(gone.rssBytes).to.equal(0);
  });

  it('keeps the last rate when the clock did not move on', () => {
    const first = nextContainerUsage(undefined, [proc(10, 0)], at(0));
    const second = nextContainerUsage(first, [proc(10, 100)], at(1));
    const third = nextContainerUsage(second, [proc(10, 150)], at(1));
    expect(third.usageNanoCores).to.equal(1_000_000_000);
    expect(third.windowMs).to.equal(1000);
    expect(third.usageCoreNanoSeconds).to.equal(150 * NANOSECONDS_PER_TICK);
  });
});

describe('nanoCores', () => {
  it('divides core-nanoseconds by the window, in whole billionths of a core', () => {
    expect(nanoCores(1_000_000_000, 1000)).to.equal(1_000_000_000);
    expect(nanoCores(10_000_000, 15_000)).to.equal(666_667);
    expect(nanoCores(0, 1000)).to.equal(0);
  });
});
