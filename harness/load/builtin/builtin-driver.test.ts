import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { urlTargets } from '../load-driver.js';
import type { LoadSample } from '../load-sample.js';
import { parseLoadSpec, type LoadSpecInput } from '../load-spec.js';
import type { LoadResult } from '../load-summary.js';
import { BuiltinDriver } from './builtin-driver.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** What the echo workload answers, as it answers it: JSON naming the pod, without a content-length. */
const echo =
  (pod: string): Handler =>
  (_req, res) => {
    const body = { pod, namespace: 'shop', node: 'worker-1', counter: 1, path: '/', host: '' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

async function run(
  input: Partial<LoadSpecInput>,
  targets: { url: string; node: string }[],
  signal?: AbortSignal,
): Promise<{ result: LoadResult; samples: LoadSample[] }> {
  const spec = parseLoadSpec({ target: targets.map((t) => t.url), ...input });
  const samples: LoadSample[] = [];
  const result = await new BuiltinDriver(spec, targets).run({ onSample: (s) => samples.push(s), signal });
  samples.sort((a, b) => a.intendedStartMs - b.intendedStartMs);
  return { result, samples };
}

const offset = (s: LoadSample, first: LoadSample) => s.intendedStartMs - first.intendedStartMs;
const lateness = (s: LoadSample) => s.actualStartMs - s.intendedStartMs;

describe('builtin driver', function () {
  this.timeout(20_000);

  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  it('sends on schedule, round-robin over the targets, and records node and pod of each answer', async () => {
    const a = await serve(echo('web-a'));
    const b = await serve(echo('web-b'));
    const { result, samples } = await run({ rate: 100, duration: '1s' }, [
      { url: a, node: 'worker-1' },
      { url: b, node: 'worker-2' },
    ]);
    expect(samples).to.have.length(100);
    expect(result.summary).to.include({ count: 100, ok: 100, failed: 0, dropped: 0 });
    samples.forEach((s, i) => {
      expect(offset(s, samples[0]!)).to.be.closeTo(i * 10, 1e-6);
      expect(s.node).to.equal(i % 2 === 0 ? 'worker-1' : 'worker-2');
      expect(s.pod).to.equal(i % 2 === 0 ? 'web-a' : 'web-b');
      // Timers have millisecond granularity; the margin is for a busy shared machine.
      expect(lateness(s)).to.be.within(0, 250);
    });
    expect(result.buckets.map((x) => x.count)).to.deep.equal([100]);
  });

  it('keeps connections alive, or opens one per request with noConnectionReuse', async () => {
    let connections = 0;
    const url = await serve(echo('web-a'));
    servers.at(-1)!.on('connection', () => connections++);
    const reused = await run({ rate: 50, duration: '1s' }, [{ url, node: 'worker-1' }]);
    expect(reused.result.summary).to.include({ count: 50, ok: 50 });
    expect(connections, 'kept alive').to.be.at.most(5);
    connections = 0;
    const fresh = await run({ rate: 50, duration: '1s', noConnectionReuse: true }, [
      { url, node: 'worker-1' },
    ]);
    expect(fresh.result.summary).to.include({ count: 50, ok: 50 });
    expect(connections, 'one per request').to.equal(50);
  });

  it('shows a target that stops answering for 2 s as latency from the intended start, not as missing requests', async () => {
    // Answers at once, except that what arrives between 1 s and 3 s after the first request is
    // held until 3 s: a stall.
    let first = 0;
    const held: ServerResponse[] = [];
    const url = await serve((req, res) => {
      const now = performance.now();
      first ||= now;
      const t = now - first;
      if (t >= 1000 && t < 3000) {
        if (held.length === 0)
          setTimeout(() => held.splice(0).forEach((r) => echo('web-1')(req, r)), 3000 - t);
        held.push(res);
      } else echo('web-1')(req, res);
    });
    const { result, samples } = await run({ rate: 100, duration: '4s' }, urlTargets([url]));

    expect(samples).to.have.length(400);
    expect(result.summary).to.include({ count: 400, ok: 400, failed: 0, dropped: 0 });
    // Sent on schedule all along: the open model does not wait for the stalled answers (a
    // closed loop would have sent nothing for 2 s).
    for (const s of samples) expect(lateness(s)).to.be.lessThan(250);
    // Each stalled request waited until the stall ended, and its latency says so.
    const stalled = samples.filter((s) => offset(s, samples[0]!) >= 1150 && offset(s, samples[0]!) < 2850);
    expect(stalled.length).to.be.at.least(165);
    for (const s of stalled) expect(s.latencyMs).to.be.at.least(3000 - offset(s, samples[0]!) - 150);
    expect(result.summary.latencyMs.max).to.be.at.least(1800);
    const [s0, s1, s2, s3] = result.buckets;
    expect(s0!.p50Ms).to.be.lessThan(200);
    expect(s1!.p50Ms).to.be.within(1200, 1800);
    expect(s2!.p50Ms).to.be.within(200, 800);
    expect(s3!.p50Ms).to.be.lessThan(200);
  });

  it('counts its own lateness as latency: requests due while its event loop was blocked', async () => {
    const url = await serve(echo('web-1'));
    const spec = parseLoadSpec({ target: url, rate: 100, duration: '1s' });
    const samples: LoadSample[] = [];
    const result = await new BuiltinDriver(spec, urlTargets([url])).run({
      onSample: (s) => {
        samples.push(s);
        // 300 ms into the run, block the event loop (driver and server alike) for 400 ms.
        if (offset(s, samples[0]!) >= 300 && !samples.some((x) => x.request === 'blocked')) {
          samples.push({ ...s, request: 'blocked' });
          const until = performance.now() + 400;
          while (performance.now() < until);
        }
      },
    });
    samples.splice(
      samples.findIndex((s) => s.request === 'blocked'),
      1,
    );
    samples.sort((a, b) => a.intendedStartMs - b.intendedStartMs);
    expect(samples).to.have.length(100);
    expect(result.summary.ok).to.equal(100);
    const blocked = samples.filter((s) => offset(s, samples[0]!) > 350 && offset(s, samples[0]!) < 650);
    expect(blocked.length).to.be.at.least(25);
    for (const s of blocked) {
      // Sent late, after the block, and measured from when it should have gone.
      expect(lateness(s)).to.be.greaterThan(40);
      expect(s.latencyMs).to.be.at.least(lateness(s));
    }
    expect(result.warnings.some((w) => w.includes('after their scheduled time'))).to.equal(true);
  });

  it('drops a request due while maxInFlight requests are waiting, never delaying it', async () => {
    const url = await serve((req, res) => setTimeout(() => echo('web-1')(req, res), 300));
    const { result, samples } = await run(
      { rate: 100, duration: '500ms', maxInFlight: 10 },
      urlTargets([url]),
    );
    expect(samples).to.have.length(50);
    const dropped = samples.filter((s) => s.outcome === 'dropped');
    const sent = samples.filter((s) => s.outcome !== 'dropped');
    expect(dropped.length).to.be.at.least(15);
    expect(result.summary.dropped).to.equal(dropped.length);
    expect(result.summary.count).to.equal(sent.length);
    for (const s of sent) {
      expect(s.outcome).to.equal('ok');
      // Not held back until a slot freed (that would be 300 ms).
      expect(lateness(s)).to.be.lessThan(150);
      expect(s.latencyMs).to.be.at.least(290);
    }
    for (const s of dropped)
      expect(s).to.include({ latencyMs: 0, status: 0, actualStartMs: s.intendedStartMs });
    expect(result.warnings.join()).to.contain(`${dropped.length} request(s) dropped`);
  });

  it('tells refused, reset, timed-out and unexpected-status failures apart', async () => {
    const closed = await serve(() => {});
    const closedServer = servers.pop()!;
    await new Promise((resolve) => closedServer.close(resolve));
    const targets = [
      { url: closed, node: 'refused' },
      { url: await serve((req) => req.socket.destroy()), node: 'reset' },
      { url: await serve(() => {}), node: 'timeout' },
      { url: await serve((_req, res) => res.writeHead(503).end('unavailable')), node: 'http' },
    ];
    const { result, samples } = await run({ rate: 40, duration: '500ms', timeout: '300ms' }, targets);
    expect(result.summary.failuresByKind).to.deep.equal({
      refused: 5,
      reset: 5,
      timeout: 5,
      http: 5,
      dns: 0,
      tls: 0,
      other: 0,
    });
    for (const s of samples) expect(s.error).to.equal(s.node);
    expect(samples.find((s) => s.node === 'refused')!.errorCode).to.equal('ECONNREFUSED');
    expect(samples.find((s) => s.node === 'http')).to.include({ status: 503, errorCode: '503' });
    for (const s of samples.filter((x) => x.node === 'timeout')) expect(s.latencyMs).to.be.at.least(290);
    expect(result.summary.byStatus).to.deep.equal({ '0': 15, '503': 5 });
  });

  it('counts a status as success when the request expects it', async () => {
    const url = await serve((_req, res) => res.writeHead(503).end());
    const { result } = await run(
      { rate: 50, duration: '200ms', requests: [{ path: '/', expectStatus: [503] }] },
      urlTargets([url]),
    );
    expect(result.summary).to.include({ count: 10, ok: 10, failed: 0 });
  });

  it('stops sending when aborted and still reports what it did', async () => {
    const url = await serve(echo('web-1'));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const started = performance.now();
    const { result } = await run({ rate: 100, duration: '10s' }, urlTargets([url]), abort.signal);
    expect(performance.now() - started).to.be.lessThan(2000);
    expect(result.summary.count).to.be.within(10, 90);
  });

  it('ends the run with the error of a sample callback that throws', async () => {
    const url = await serve(echo('web-1'));
    const spec = parseLoadSpec({ target: url, rate: 100, duration: '5s' });
    let seen = 0;
    const error = await new BuiltinDriver(spec, urlTargets([url]))
      .run({
        onSample: () => {
          if (++seen === 5) throw new Error('disk full');
        },
      })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(Error).with.property('message', 'disk full');
    expect(seen).to.be.lessThan(20);
  });
});
