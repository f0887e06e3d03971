import { expect } from 'chai';
import { errors } from '../errors.js';
import type { Lease } from '../types.js';
import { LeaderElector, type LeaderElectorClient } from './leader-elector.js';
import { ManualTimers } from './manual-timers.js';

/** One Lease with compare-and-swap on resourceVersion, as the apiserver keeps it. */
class FakeLeases {
  lease?: Lease;
  private revision = 0;
  /** While set, every call hangs, as on a connection to a vanished apiserver. */
  hang = false;

  readonly client: LeaderElectorClient = {
    tryGet: async <T>() => {
      await this.maybeHang();
      return structuredClone(this.lease) as T | undefined;
    },
    create: async <T>(_r: unknown, obj: T) => {
      await this.maybeHang();
      if (this.lease) throw errors.alreadyExists('leases', 'coordination.k8s.io', 'lock');
      return this.store(obj as Lease) as T;
    },
    update: async <T>(_r: unknown, obj: T) => {
      await this.maybeHang();
      const lease = obj as Lease;
      if (lease.metadata.resourceVersion !== this.lease?.metadata.resourceVersion)
        throw errors.conflict('leases', 'coordination.k8s.io', 'lock', 'the object has been modified');
      return this.store(lease) as T;
    },
  } as LeaderElectorClient;

  /** Writes the lease as another candidate would. */
  store(lease: Lease): Lease {
    this.lease = structuredClone({
      ...lease,
      metadata: { ...lease.metadata, resourceVersion: String(++this.revision) },
    });
    return structuredClone(this.lease);
  }

  private maybeHang(): Promise<void> {
    return this.hang ? new Promise(() => undefined) : Promise.resolve();
  }
}

const otherHolds = (renewTime: string, leaseTransitions = 3): Lease => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { namespace: 'kube-system', name: 'lock' },
  spec: {
    holderIdentity: 'other',
    leaseDurationSeconds: 1,
    acquireTime: renewTime,
    renewTime,
    leaseTransitions,
  },
});

describe('LeaderElector', () => {
  let timers: ManualTimers;
  let leases: FakeLeases;
  let elector: LeaderElector;
  let log: string[];
  let signal: AbortSignal | undefined;

  const newElector = () => {
    elector = new LeaderElector({
      client: leases.client,
      namespace: 'kube-system',
      name: 'lock',
      identity: 'me',
      leaseDurationMs: 1000,
      renewDeadlineMs: 700,
      retryPeriodMs: 200,
      clock: { now: () => new Date(Date.UTC(2030, 0, 1) + timers.now()) },
      timers,
      onStartedLeading: (s) => {
        signal = s;
        log.push(`started@${timers.now()}`);
      },
      onStoppedLeading: () => log.push(`stopped@${timers.now()}`),
      onNewLeader: (id) => log.push(`leader ${id}`),
      onError: () => undefined,
    });
    void elector.run();
  };

  /** Moves virtual time on in small steps, letting the elector's promises settle at each. */
  const elapse = async (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      timers.advance(10);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  };

  beforeEach(() => {
    timers = new ManualTimers();
    leases = new FakeLeases();
    log = [];
    signal = undefined;
  });
  afterEach(async () => {
    await elector?.stop(false);
  });

  it('creates a missing lease and leads, writing a MicroTime record', async () => {
    newElector();
    await elapse(10);
    expect(elector.isLeader()).to.equal(true);
    expect(log).to.deep.equal(['leader me', 'started@0']);
    expect(leases.lease!.spec).to.deep.equal({
      holderIdentity: 'me',
      leaseDurationSeconds: 1,
      acquireTime: '2030-01-01T00:00:00.000000Z',
      renewTime: '2030-01-01T00:00:00.000000Z',
      leaseTransitions: 0,
    });
  });

  it('renews every retry period, keeping acquireTime and the transition count', async () => {
    newElector();
    await elapse(450);
    expect(leases.lease!.spec).to.include({
      acquireTime: '2030-01-01T00:00:00.000000Z',
      renewTime: '2030-01-01T00:00:00.400000Z',
      leaseTransitions: 0,
    });
    expect(log).to.deep.equal(['leader me', 'started@0']);
  });

  it("takes over only after the record stayed unchanged for leaseDuration on its own clock, whatever the holder's renewTime says", async () => {
    // The holder's clock is far ahead of ours: comparing renewTimes would wait for years.
    leases.store(otherHolds('2099-01-01T00:00:00.000000Z'));
    newElector();
    await elapse(900);
    expect(elector.isLeader()).to.equal(false);
    expect(elector.leader()).to.equal('other');
    await elapse(400);
    expect(elector.isLeader()).to.equal(true);
    expect(log).to.deep.equal(['leader other', 'leader me', 'started@1000']);
    expect(leases.lease!.spec).to.include({ holderIdentity: 'me', leaseTransitions: 4 });
  });

  it('never takes over a lease whose record keeps changing, however old its renewTime looks', async () => {
    // The holder's clock is far behind ours, but it renews.
    leases.store(otherHolds('2001-01-01T00:00:00.000000Z'));
    newElector();
    for (let i = 1; i <= 10; i++) {
      await elapse(300);
      leases.store(otherHolds(`2001-01-01T00:00:0${i % 10}.000000Z`));
    }
    expect(elector.isLeader()).to.equal(false);
    expect(log).to.deep.equal(['leader other']);
  });

  it('takes a released lease (holder empty) at once', async () => {
    leases.store({
      ...otherHolds('2099-01-01T00:00:00.000000Z'),
      spec: { holderIdentity: '', leaseTransitions: 3 },
    });
    newElector();
    await elapse(10);
    expect(elector.isLeader()).to.equal(true);
    expect(leases.lease!.spec).to.include({ holderIdentity: 'me', leaseTransitions: 4 });
  });

  it('stops leading at the renew deadline even while a renewal hangs, then campaigns again', async () => {
    newElector();
    await elapse(250);
    expect(elector.isLeader()).to.equal(true);
    leases.hang = true;
    // The last renewal that succeeded was sent at 200: the deadline is 200 + 700.
    await elapse(640);
    expect(elector.isLeader()).to.equal(true);
    await elapse(20);
    expect(elector.isLeader()).to.equal(false);
    expect(signal!.aborted).to.equal(true);
    expect(log).to.deep.equal(['leader me', 'started@0', 'stopped@900']);
    await elector.stop(false);
    expect(log).to.have.length(3);
  });

  it('on stop with release, stops leading and hands the lease back', async () => {
    newElector();
    await elapse(10);
    await elector.stop();
    await elector.stop();
    expect(signal!.aborted).to.equal(true);
    expect(log).to.deep.equal(['leader me', 'started@0', 'stopped@10']);
    expect(leases.lease!.spec).to.include({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      leaseTransitions: 0,
    });
    expect(timers.pendingCount).to.equal(0);
  });

  it('on stop without release, leaves the lease to expire', async () => {
    newElector();
    await elapse(10);
    await elector.stop(false);
    expect(leases.lease!.spec!.holderIdentity).to.equal('me');
    expect(elector.isLeader()).to.equal(false);
  });

  it('refuses timings where the renew deadline is not inside the lease duration', () => {
    expect(
      () =>
        new LeaderElector({
          client: leases.client,
          namespace: 'kube-system',
          name: 'lock',
          identity: 'me',
          leaseDurationMs: 1000,
          renewDeadlineMs: 1000,
          retryPeriodMs: 200,
          onStartedLeading: () => undefined,
          onStoppedLeading: () => undefined,
        }),
    ).to.throw(RangeError);
  });
});
