import { expect } from 'chai';
import type { Etcd3 } from 'etcd3';
import { EtcdMembers } from './etcd-members.js';

/** How a fake member answers: 'ok', 'hang' (never), or the message of the gRPC error it fails with. */
type Answer = 'ok' | 'hang' | string;

/** A member that answers as told and records which calls reached it (probes apart). */
class FakeMember {
  answer: Answer = 'ok';
  probeAnswer: Answer = 'ok';
  readonly calls: string[] = [];
  probes = 0;

  readonly client = {
    kv: {
      range: async (req: { key: Buffer }) => {
        const probe = req.key.toString() === 'health';
        if (probe) this.probes++;
        else this.calls.push(req.key.toString());
        const answer = probe ? this.probeAnswer : this.answer;
        if (answer === 'hang') await new Promise(() => undefined);
        if (answer !== 'ok') throw new Error(answer);
        return { kvs: [], header: { revision: '1' } };
      },
    },
    close: () => undefined,
  };
}

const REFUSED = '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379';
const DROPPED = '14 UNAVAILABLE: Connection dropped';
const LEADER_CHANGED = 'etcdserver: leader changed';
const COMPARE_FAILED = 'etcdserver: mvcc: required revision has been compacted';

function members(n: number) {
  const fakes = Array.from({ length: n }, () => new FakeMember());
  const byUrl = new Map(fakes.map((f, i) => [`http://m${i}`, f]));
  const pool = new EtcdMembers({
    endpoints: [...byUrl.keys()],
    connect: (url) => byUrl.get(url)!.client as unknown as Etcd3,
    requestTimeoutMs: 1000,
    probeIntervalMs: 10,
  });
  const read = (key = 'k') => pool.call('read', (m) => m.client.kv.range({ key: Buffer.from(key) }));
  const write = (key = 'w') => pool.call('write', (m) => m.client.kv.range({ key: Buffer.from(key) }));
  return { fakes, pool, read, write };
}

const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('EtcdMembers', () => {
  it('sends a call that found no connection to another member, writes included', async () => {
    const { fakes, pool, read, write } = members(3);
    try {
      fakes[0]!.answer = REFUSED;
      fakes[0]!.probeAnswer = REFUSED;
      for (let i = 0; i < 30; i++) {
        await read();
        await write();
      }
      expect(
        fakes[0]!.calls.length,
        'at most the first call of each kind reached the dead member',
      ).to.be.at.most(2);
      expect(fakes[1]!.calls.length + fakes[2]!.calls.length).to.equal(60);
    } finally {
      pool.close();
    }
  });

  it('retries a read that reached its member and failed there, through an election, but never a write that may have arrived', async () => {
    const { fakes, pool, read, write } = members(2);
    try {
      fakes[0]!.answer = LEADER_CHANGED;
      fakes[1]!.answer = LEADER_CHANGED;
      // Both say the cluster has no leader: the read tries them again until one has (an
      // election takes about a second), within its deadline.
      setTimeout(() => (fakes[1]!.answer = 'ok'), 200);
      const started = Date.now();
      await read();
      expect(Date.now() - started).to.be.within(150, 900);
      expect(fakes[0]!.calls.length + fakes[1]!.calls.length).to.be.greaterThan(2);
      // While it lasts, the read gives up at its deadline with the last answer.
      fakes[1]!.answer = LEADER_CHANGED;
      expect(await read().catch((e: Error) => e.message)).to.equal(LEADER_CHANGED);
      fakes[0]!.answer = 'ok';
      fakes[1]!.answer = DROPPED;
      fakes[1]!.probeAnswer = DROPPED;
      pool.markFailed(pool.members[0]!);
      await settle();
      // m0 answered its probe; m1 is the one failing now. A write that went there is not repeated.
      const before = fakes[0]!.calls.length;
      const before1 = fakes[1]!.calls.length;
      const outcomes = [];
      for (let i = 0; i < 20; i++)
        outcomes.push(
          await write().then(
            () => 'ok',
            (e: Error) => e.message,
          ),
        );
      const failed = outcomes.filter((o) => o !== 'ok');
      expect(failed, 'a write that may have arrived fails, once').to.deep.equal(
        fakes[1]!.calls.length > before1 ? [DROPPED] : [],
      );
      expect(fakes[1]!.calls.length - before1, 'after one failure, m1 gets nothing but probes').to.be.at.most(
        1,
      );
      expect(fakes[0]!.calls.length - before).to.be.at.least(19);
    } finally {
      pool.close();
    }
  });

  it('sends a read hanging on a member elsewhere as soon as that member is found failing, but not a write', async () => {
    const { fakes, pool, read, write } = members(2);
    try {
      // m1 is out of the choice, so the next calls go to m0, where they hang (a link that stalls
      // rather than refuses). Then m1 answers again and m0 is found failing by someone else.
      fakes[0]!.answer = 'hang';
      fakes[0]!.probeAnswer = 'hang';
      fakes[1]!.probeAnswer = REFUSED;
      pool.markFailed(pool.members[1]!, new Error(REFUSED));
      const started = Date.now();
      const reading = read();
      let writeSettled = false;
      void write().finally(() => (writeSettled = true));
      await settle();
      expect(fakes[0]!.calls).to.deep.equal(['k', 'w']);
      fakes[1]!.probeAnswer = 'ok';
      await settle();
      expect(pool.healthy.map((m) => m.url)).to.deep.equal(['http://m0', 'http://m1']);
      pool.markFailed(pool.members[0]!, new Error(DROPPED));
      await reading;
      expect(Date.now() - started, 'long before its 1 s deadline').to.be.below(500);
      expect(fakes[1]!.calls).to.deep.equal(['k']);
      await settle();
      expect(writeSettled, 'a write that may have arrived waits for its answer').to.equal(false);
      expect(
        pool['waiting'].get(pool.members[1]!)?.size ?? 0,
        'a settled read leaves nothing behind',
      ).to.equal(0);
    } finally {
      pool.close();
    }
  });

  it('gives no second try to an answer that is etcd’s verdict, not the member’s failure', async () => {
    const { fakes, pool, read } = members(3);
    try {
      for (const f of fakes) f.answer = COMPARE_FAILED;
      expect(await read().catch((e: Error) => e.message)).to.equal(COMPARE_FAILED);
      expect(fakes.reduce((n, f) => n + f.calls.length, 0)).to.equal(1);
      expect(pool.healthy).to.have.length(3);
    } finally {
      pool.close();
    }
  });

  it('probes a member that failed in the background, and sends it calls again once it answers', async () => {
    const { fakes, pool, read } = members(2);
    try {
      fakes[0]!.answer = REFUSED;
      fakes[0]!.probeAnswer = REFUSED;
      for (let i = 0; i < 10; i++) await read();
      await settle(50);
      const callsWhileDown = fakes[0]!.calls.length;
      expect(callsWhileDown).to.be.at.most(1);
      expect(fakes[0]!.probes, 'probed meanwhile').to.be.greaterThan(1);
      fakes[0]!.answer = 'ok';
      fakes[0]!.probeAnswer = 'ok';
      await settle(50);
      expect(pool.healthy.map((m) => m.url)).to.deep.equal(['http://m0', 'http://m1']);
      for (let i = 0; i < 40; i++) await read();
      expect(fakes[0]!.calls.length - callsWhileDown, 'back in the choice').to.be.greaterThan(5);
    } finally {
      pool.close();
    }
  });

  it('with one member, or none answering, still sends each call: there is nowhere else', async () => {
    const one = members(1);
    try {
      one.fakes[0]!.answer = REFUSED;
      await one.read().catch(() => undefined);
      one.fakes[0]!.answer = 'ok';
      await one.read();
      expect(one.fakes[0]!.calls).to.have.length(2);
      expect(one.fakes[0]!.probes, 'nothing to probe for').to.equal(0);
    } finally {
      one.pool.close();
    }
    const all = members(2);
    try {
      for (const f of all.fakes) {
        f.answer = REFUSED;
        f.probeAnswer = REFUSED;
      }
      await all.read().catch(() => undefined);
      expect(all.pool.healthy).to.have.length(0);
      all.fakes[1]!.answer = 'ok';
      // No member answers as far as anyone knows: the call goes all the same, and gets through.
      await all.read();
    } finally {
      all.pool.close();
    }
  });
});
