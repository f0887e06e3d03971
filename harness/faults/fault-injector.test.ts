import { expect } from 'chai';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterRecord, RunningCluster } from '../cluster/index.js';
import type { FaultEvent } from '../history/index.js';
import { FaultError } from './fault-error.js';
import { FaultInjector } from './fault-injector.js';

/** A cluster of two workers that records what is done to it; `failing` operations throw. */
function fakeCluster(failing: string[] = []): { cluster: RunningCluster; calls: string[] } {
  const calls: string[] = [];
  const op = (name: string) => async (node: string) => {
    calls.push(`${name} ${node}`);
    if (failing.includes(name)) throw new Error(`${name} ${node} failed`);
  };
  const record = {
    name: 'fake',
    provider: 'process',
    members: ['worker-1', 'worker-2'].map((node) => ({ role: 'kubelet', name: `${node}-kubelet`, node })),
    links: [],
    workers: [{ name: 'worker-1' }, { name: 'worker-2' }],
  } as unknown as ClusterRecord;
  const cluster = {
    name: 'fake',
    provider: 'process',
    get stateDir() {
      return join(process.env.CRUCIBLE_HOME!, 'clusters', 'fake');
    },
    record,
    pause: op('pause'),
    unpause: op('unpause'),
    kill: op('kill'),
    start: op('start'),
  } as unknown as RunningCluster;
  return { cluster, calls };
}

describe('FaultInjector: one FaultEvent per inject and heal, whatever happens', () => {
  let home: string;
  let events: FaultEvent[];
  const journal = { now: () => 42, record: (e: FaultEvent) => void events.push(e) };

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-faults-'));
    process.env.CRUCIBLE_HOME = home;
    // The ledger lives in the cluster's folder, which a booted cluster always has.
    await mkdir(join(home, 'clusters', 'fake'), { recursive: true });
    events = [];
  });
  afterEach(async () => {
    delete process.env.CRUCIBLE_HOME;
    await rm(home, { recursive: true, force: true });
  });

  it('injects under the id and tenant it is given, keeps the options, and heals with the same fault', async () => {
    const { cluster, calls } = fakeCluster();
    const injector = new FaultInjector({ cluster, random: () => 0 }, journal);
    const fault = await injector.inject('node-pause', 'worker-2', {}, { id: 'freeze', tenant: 'team-a' });
    expect(fault).to.deep.equal({
      id: 'freeze',
      type: 'node-pause',
      targets: ['worker-2'],
      tenant: 'team-a',
      options: {},
    });
    expect((await injector.list()).map((f) => f.id)).to.deep.equal(['freeze']);
    await injector.heal(fault);
    expect(calls).to.deep.equal(['pause worker-2', 'unpause worker-2']);
    expect(await injector.list()).to.deep.equal([]);
    expect(events).to.deep.equal([
      { t: 42, type: 'fault-inject', fault, ok: true },
      { t: 42, type: 'fault-heal', fault, ok: true, verifiedBy: 'node-pause heal returned' },
    ]);
  });

  it('reports a failed inject, heals what it may have done at once, and rethrows', async () => {
    const { cluster, calls } = fakeCluster(['pause']);
    const injector = new FaultInjector({ cluster, random: () => 0 }, journal);
    const failed = await injector.inject('node-pause', 'worker-1', {}, { id: 'p' }).catch((e: Error) => e);
    expect(failed).to.be.an('error').with.property('message', 'pause worker-1 failed');
    expect(calls).to.deep.equal(['pause worker-1', 'unpause worker-1']);
    expect(events.map((e) => [e.type, e.ok, e.type === 'fault-heal' ? e.verifiedBy : e.error])).to.deep.equal(
      [
        ['fault-inject', false, 'pause worker-1 failed'],
        ['fault-heal', true, 'healed at once after the failed inject'],
      ],
    );
    expect(await injector.list()).to.deep.equal([]);
  });

  it('refuses bad options and unknown targets with typed errors, before anything acts', async () => {
    const { cluster, calls } = fakeCluster();
    const injector = new FaultInjector({ cluster, random: () => 0 }, journal);
    const badOptions = await injector.inject('node-loss', 'worker-1', { restartAfterMs: -1 }).catch((e) => e);
    expect(badOptions).to.be.instanceOf(FaultError).with.property('code', 'InvalidFaultOptions');
    const badTarget = await injector.inject('node-loss', 'worker-9').catch((e) => e);
    expect(badTarget).to.be.instanceOf(FaultError).with.property('code', 'NoSuchTarget');
    expect((badTarget as Error).message).to.include('worker-1, worker-2');
    const noLeader = await injector
      .inject('component-kill', 'leader', { component: 'apiserver' })
      .catch((e) => e);
    expect(noLeader).to.be.instanceOf(FaultError).with.property('code', 'NoSuchTarget');
    expect((noLeader as Error).message).to.include('apiserver has no leader to pick');
    const unknown = await injector.inject('meteor-strike', 'all').catch((e) => e);
    expect(unknown).to.be.instanceOf(FaultError).with.property('code', 'UnknownFault');
    expect(calls).to.deep.equal([]);
    expect(events.map((e) => e.ok)).to.deep.equal([false, false, false, false]);
  });

  it('refuses a packet-loss on a provider without packet filtering, naming the provider', async () => {
    const { cluster } = fakeCluster();
    const injector = new FaultInjector({ cluster, random: () => 0 }, journal);
    const refused = await injector.inject('packet-loss', 'worker-1', { probability: 0.5 }).catch((e) => e);
    expect(refused).to.be.instanceOf(FaultError).with.property('code', 'FaultUnsupported');
    expect((refused as Error).message).to.include('the process provider');
  });
});
