import { expect } from 'chai';
import { createServer } from 'node:net';
import { TestControlPlane, TEST_TOKENS } from '../../../testing/test-control-plane.js';
import { pollUntil } from '../../../harness/support/poll-until.js';
import { findResource } from '../resources.js';
import type { Lease } from '../types.js';
import { ApiClient } from './api-client.js';
import { LeaderElector, type LeaderElectorClient } from './leader-elector.js';

const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const LEASE_MS = 1000;
const RENEW_DEADLINE_MS = 700;
const RETRY_MS = 200;
/** Room for request latency and event-loop delays on a busy machine. */
const SLACK_MS = 500;

interface Candidate {
  identity: string;
  elector: LeaderElector;
  starts: number;
  stops: number;
  signal?: AbortSignal;
  newLeaders: string[];
}

/** A port nothing listens on: connections to it are refused. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('LeaderElector against a real apiserver', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let candidates: Candidate[] = [];
  /** How many candidates lead at once, and the most that ever did. */
  let leading = 0;
  let mostLeading = 0;

  const candidate = (identity: string, lease: string, c: LeaderElectorClient = client): Candidate => {
    const stats = {
      identity,
      starts: 0,
      stops: 0,
      newLeaders: [] as string[],
      signal: undefined as AbortSignal | undefined,
    };
    const elector = new LeaderElector({
      client: c,
      namespace: 'default',
      name: lease,
      identity,
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: RENEW_DEADLINE_MS,
      retryPeriodMs: RETRY_MS,
      onStartedLeading: (signal) => {
        stats.starts++;
        stats.signal = signal;
        mostLeading = Math.max(mostLeading, ++leading);
      },
      onStoppedLeading: () => {
        stats.stops++;
        leading--;
      },
      onNewLeader: (id) => stats.newLeaders.push(id),
      onError: () => undefined,
    });
    const cand: Candidate = Object.assign(stats, { elector });
    candidates.push(cand);
    void elector.run();
    return cand;
  };

  const leaderOf = async (...cands: Candidate[]) => {
    await pollUntil(() => cands.some((c) => c.elector.isLeader()), 5000, 'a leader');
    const leader = cands.find((c) => c.elector.isLeader())!;
    return { leader, follower: cands.find((c) => c !== leader)! };
  };

  const readLease = (name: string) => client.get<Lease>(LEASES, 'default', name);

  before(async () => {
    cp = await TestControlPlane.start();
    client = new ApiClient({ servers: [cp.url], token: TEST_TOKENS.admin, caPem: cp.ca.certPem });
  });
  beforeEach(() => {
    leading = 0;
    mostLeading = 0;
  });
  afterEach(async () => {
    await Promise.all(candidates.map((c) => c.elector.stop(false)));
    candidates = [];
  });
  after(async () => {
    await client?.close();
    await cp?.stop();
  });

  it('lets exactly one of two candidates lead, and records it in the Lease', async () => {
    const a = candidate('a', 'one-leader');
    const b = candidate('b', 'one-leader');
    const { leader, follower } = await leaderOf(a, b);
    for (let i = 0; i < 75; i++) {
      expect([a, b].filter((c) => c.elector.isLeader())).to.deep.equal([leader]);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(mostLeading).to.equal(1);
    expect(leader.starts).to.equal(1);
    expect(follower.starts).to.equal(0);
    expect(follower.elector.leader()).to.equal(leader.identity);
    expect(follower.newLeaders).to.deep.equal([leader.identity]);
    const lease = await readLease('one-leader');
    expect(lease.spec).to.include({
      holderIdentity: leader.identity,
      leaseDurationSeconds: 1,
      leaseTransitions: 0,
    });
    expect(lease.spec!.renewTime).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(lease.spec!.acquireTime).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('hands over, once the lease expires, from a leader stopped without releasing', async () => {
    const a = candidate('a', 'no-release');
    const b = candidate('b', 'no-release');
    const { leader, follower } = await leaderOf(a, b);
    const stoppedAt = Date.now();
    await leader.elector.stop(false);
    expect(leader.stops).to.equal(1);
    expect(leader.signal!.aborted).to.equal(true);
    expect((await readLease('no-release')).spec!.holderIdentity).to.equal(leader.identity);

    await pollUntil(() => follower.elector.isLeader(), 5000, 'the follower to lead');
    const tookMs = Date.now() - stoppedAt;
    // It must have waited for the lease to run out (the last renewal was at most one retry old)...
    expect(tookMs).to.be.at.least(LEASE_MS - 2 * RETRY_MS);
    // ...and taken over within the next retry or two of it.
    expect(tookMs).to.be.at.most(LEASE_MS + 2 * RETRY_MS + SLACK_MS);
    const lease = await readLease('no-release');
    expect(lease.spec).to.include({ holderIdentity: follower.identity, leaseTransitions: 1 });
    expect(mostLeading).to.equal(1);
  });

  it('hands over at once from a leader that releases the lease', async () => {
    const a = candidate('a', 'release');
    const b = candidate('b', 'release');
    const { leader, follower } = await leaderOf(a, b);
    const stoppedAt = Date.now();
    await leader.elector.stop();
    expect(leader.stops).to.equal(1);
    expect(leader.signal!.aborted).to.equal(true);
    await pollUntil(() => follower.elector.isLeader(), 5000, 'the follower to lead');
    expect(Date.now() - stoppedAt).to.be.at.most(RETRY_MS + SLACK_MS);
    const lease = await readLease('release');
    expect(lease.spec).to.include({ holderIdentity: follower.identity, leaseTransitions: 1 });
  });

  it('stops leading within the renew deadline when its apiserver is gone, and the other takes over', async () => {
    const dead = new ApiClient({
      servers: [`https://127.0.0.1:${await deadPort()}`],
      caPem: cp.ca.certPem,
      retries: 0,
    });
    let current: ApiClient = client;
    const switchable: LeaderElectorClient = {
      tryGet: (...args) => current.tryGet(...args),
      create: (...args) => current.create(...args),
      update: (...args) => current.update(...args),
    };
    try {
      const a = candidate('a', 'partitioned', switchable);
      await pollUntil(() => a.elector.isLeader(), 5000, 'a to lead');
      const b = candidate('b', 'partitioned');
      await pollUntil(() => b.elector.leader() === 'a', 10_000, 'b to see a lead');

      current = dead;
      const cutAt = Date.now();
      await pollUntil(() => a.stops === 1, 5000, 'a to stop leading');
      expect(Date.now() - cutAt).to.be.at.most(RENEW_DEADLINE_MS + RETRY_MS + SLACK_MS);
      expect(a.signal!.aborted).to.equal(true);
      expect(a.elector.isLeader()).to.equal(false);

      await pollUntil(() => b.elector.isLeader(), 5000, 'b to take over');
      current = client;
      await new Promise((r) => setTimeout(r, 3 * RETRY_MS));
      expect(a.elector.isLeader()).to.equal(false);
      expect(a.elector.leader()).to.equal('b');
      expect(mostLeading).to.equal(1);
    } finally {
      await Promise.all(candidates.map((c) => c.elector.stop(false)));
      await dead.close();
    }
  });
});
