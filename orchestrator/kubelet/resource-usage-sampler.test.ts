import { expect } from 'chai';
import { ManualTimers } from '../api/client/index.js';
import type { Clock } from '../api/clock.js';
import type { ContainerInfo } from './container-runtime.js';
import type { ProcessSample } from './process-groups.js';
import { ResourceUsageSampler, type SampledContainer } from './resource-usage-sampler.js';

const EPOCH = Date.UTC(2026, 0, 1);

function container(id: string, pgid: number, podUid = 'uid-a', containerName = 'main'): SampledContainer {
  const info: ContainerInfo = {
    id,
    podUid,
    namespace: 'default',
    podName: 'a',
    containerName,
    pid: pgid + 1,
    startedAt: new Date(EPOCH),
    state: 'running',
    logPath: '/dev/null',
  };
  return { info, pgid };
}

/** A process table the test writes: CPU ticks and resident bytes per process group. */
class FakeProcesses {
  readonly ticks = new Map<number, number>();
  read = (pgids: ReadonlySet<number>): Map<number, ProcessSample[]> =>
    new Map(
      [...this.ticks]
        .filter(([pgid]) => pgids.has(pgid))
        .map(([pgid, cpuTicks]) => [pgid, [{ pid: pgid, startTicks: '1', cpuTicks, rssBytes: 1 << 20 }]]),
    );
}

describe('ResourceUsageSampler', () => {
  let timers: ManualTimers;
  let clock: Clock;
  let processes: FakeProcesses;
  let running: SampledContainer[];
  let sampler: ResourceUsageSampler;

  beforeEach(() => {
    timers = new ManualTimers();
    clock = { now: () => new Date(EPOCH + timers.now()) };
    processes = new FakeProcesses();
    running = [];
    sampler = new ResourceUsageSampler({
      containers: () => running,
      resolutionMs: 1000,
      timers,
      clock,
      readGroups: processes.read,
    });
  });
  afterEach(() => sampler.stop());

  it('samples at once and then every resolution, each container its rate over the last window', () => {
    running = [container('c1', 100)];
    processes.ticks.set(100, 0);
    sampler.start();
    expect(sampler.containers()[0]!.usage.usageNanoCores).to.equal(undefined);
    processes.ticks.set(100, 100);
    timers.advance(1000);
    const [sampled] = sampler.containers();
    expect(sampled!.container.info.id).to.equal('c1');
    expect(sampled!.usage.usageNanoCores).to.equal(1_000_000_000);
    expect(sampled!.usage.time.getTime()).to.equal(EPOCH + 1000);
    expect(sampled!.usage.rssBytes).to.equal(1 << 20);
  });

  it("gives the node its containers' usage together", () => {
    running = [container('c1', 100), container('c2', 200, 'uid-b')];
    processes.ticks.set(100, 0).set(200, 0);
    sampler.start();
    expect(sampler.nodeUsage()!.usageNanoCores).to.equal(undefined);
    processes.ticks.set(100, 50).set(200, 25);
    timers.advance(1000);
    const node = sampler.nodeUsage()!;
    expect(node.usageNanoCores).to.equal(750_000_000);
    expect(node.windowMs).to.equal(1000);
    expect(node.rssBytes).to.equal(2 << 20);
  });

  it('counts a container that started within the window in the node, and starts its own rate afresh', () => {
    sampler.start();
    running = [container('c1', 100)];
    processes.ticks.set(100, 40);
    timers.advance(1000);
    expect(sampler.containers()[0]!.usage.usageNanoCores).to.equal(undefined);
    expect(sampler.nodeUsage()!.usageNanoCores).to.equal(400_000_000);
  });

  it('forgets a container that stopped running, and measures its restart as a new container', () => {
    running = [container('c1', 100)];
    processes.ticks.set(100, 500);
    sampler.start();
    running = [container('c2', 300)];
    processes.ticks.set(300, 10);
    timers.advance(1000);
    expect(sampler.containers().map((c) => c.container.info.id)).to.deep.equal(['c2']);
    expect(sampler.containers()[0]!.usage.usageCoreNanoSeconds).to.equal(10 * 10_000_000);
    // The node's figure only grows: c1's time stays in it.
    expect(sampler.nodeUsage()!.usageCoreNanoSeconds).to.equal(510 * 10_000_000);
  });

  it('takes no sample once stopped, and stops twice without harm', () => {
    running = [container('c1', 100)];
    processes.ticks.set(100, 0);
    sampler.start();
    sampler.stop();
    sampler.stop();
    processes.ticks.set(100, 100);
    timers.advance(5000);
    expect(sampler.containers()[0]!.usage.usageNanoCores).to.equal(undefined);
    expect(timers.pendingCount).to.equal(0);
  });

  it('refuses a resolution that is not positive', () => {
    expect(
      () => new ResourceUsageSampler({ containers: () => [], resolutionMs: 0, readGroups: processes.read }),
    ).to.throw(RangeError);
  });
});
