import { expect } from 'chai';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { seededRandom } from '../support/index.js';
import { startToxiproxyServer, type RunningToxiproxyServer } from './index.js';

/** The far end of the proxies: a TCP server on 127.0.0.1 whose accepted sockets the tests drive. */
class Upstream {
  private readonly ready: Socket[] = [];
  private readonly waiting: ((socket: Socket) => void)[] = [];
  private readonly all = new Set<Socket>();

  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      socket.on('error', () => {});
      this.all.add(socket);
      const waiter = this.waiting.shift();
      if (waiter) waiter(socket);
      else this.ready.push(socket);
    });
  }

  static async start(): Promise<Upstream> {
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    return new Upstream(server);
  }

  get address(): string {
    const { port } = this.server.address() as { port: number };
    return `127.0.0.1:${port}`;
  }

  /** The next connection the proxy opened to us. */
  accepted(): Promise<Socket> {
    const socket = this.ready.shift();
    return socket ? Promise.resolve(socket) : new Promise((resolve) => this.waiting.push(resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.all) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

interface Arrival {
  data: Buffer;
  at: number;
}

/** Buffers what a socket receives, so tests can wait for it with a deadline. */
class Inbox {
  private readonly arrivals: Arrival[] = [];
  private wake: (() => void) | undefined;
  closedAt: number | undefined;
  errorCode: string | undefined;

  constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.arrivals.push({ data, at: performance.now() });
      this.wake?.();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (this.errorCode ??= e.code));
    // The stream is over at the peer's FIN ('end', all a half-open socket gets) or at 'close'.
    const over = () => {
      this.closedAt ??= performance.now();
      this.wake?.();
    };
    socket.on('end', over);
    socket.on('close', over);
  }

  /** The next chunk, or undefined if none came within `ms` (or the stream ended). */
  async next(ms = 2000): Promise<Arrival | undefined> {
    const deadline = performance.now() + ms;
    while (this.arrivals.length === 0 && this.closedAt === undefined && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - performance.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.arrivals.shift();
  }

  /** Every chunk until the stream ends (or `ms` pass). */
  async untilClosed(ms = 3000): Promise<Arrival[]> {
    const received: Arrival[] = [];
    const deadline = performance.now() + ms;
    for (;;) {
      const arrival = await this.next(Math.max(0, deadline - performance.now()));
      if (arrival) received.push(arrival);
      else if (this.closedAt !== undefined || performance.now() >= deadline) return received;
    }
  }

  /** Resolves when the stream ends, or after `ms`; the time it ended, if it did. */
  async closed(ms: number): Promise<number | undefined> {
    const deadline = performance.now() + ms;
    while (this.closedAt === undefined && performance.now() < deadline)
      await this.next(deadline - performance.now());
    return this.closedAt;
  }
}

describe('bundled toxiproxy server: toxics on real TCP streams, driven through toxiproxy-node-client', function () {
  this.timeout(10_000);
  let server: RunningToxiproxyServer;
  let toxiproxy: Toxiproxy;
  let upstream: Upstream;
  const clients: Socket[] = [];
  let proxyCount = 0;

  before(async () => {
    server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
    toxiproxy = new Toxiproxy(server.url);
    upstream = await Upstream.start();
  });

  after(async () => {
    await server.close();
    await upstream.close();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    for (const proxy of Object.values(await toxiproxy.getAll())) await proxy.remove();
  });

  const createProxy = () =>
    toxiproxy.createProxy({
      name: `proxy-${++proxyCount}`,
      listen: '127.0.0.1:0',
      upstream: upstream.address,
    });

  /** A client connected through the proxy, and the proxy's connection to the upstream. */
  async function open(proxy: Proxy): Promise<{ client: Inbox; server: Inbox }> {
    const socket = await dial(proxy.listen);
    return { client: new Inbox(socket), server: new Inbox(await upstream.accepted()) };
  }

  async function dial(listen: string): Promise<Socket> {
    const port = Number(listen.split(':').pop());
    const socket = connect({ host: '127.0.0.1', port });
    clients.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return socket;
  }

  /** Milliseconds for `message` to go client → upstream, and for a reply to come back. */
  async function roundTrip(link: { client: Inbox; server: Inbox }): Promise<{ up: number; down: number }> {
    const sent = performance.now();
    link.client.socket.write('ping');
    const atServer = await link.server.next();
    expect(atServer?.data.toString()).to.equal('ping');
    link.server.socket.write('pong');
    const atClient = await link.client.next();
    expect(atClient?.data.toString()).to.equal('pong');
    return { up: atServer!.at - sent, down: atClient!.at - atServer!.at };
  }

  it('delays server→client by a downstream latency (± jitter) and leaves client→server alone', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'lag',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 200, jitter: 50 },
    });
    const link = await open(proxy);
    const { up, down } = await roundTrip(link);
    expect(up).to.be.below(50);
    expect(down).to.be.within(145, 290);
  });

  it('delays client→server by an upstream latency and leaves server→client alone', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'lag',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 200, jitter: 0 },
    });
    const { up, down } = await roundTrip(await open(proxy));
    expect(up).to.be.within(195, 290);
    expect(down).to.be.below(50);
  });

  it('applies toxics added, updated and removed while a connection is open', async () => {
    const proxy = await createProxy();
    const link = await open(proxy);
    expect((await roundTrip(link)).down).to.be.below(50);
    const toxic = await proxy.addToxic({
      name: 'lag',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 150, jitter: 0 },
    });
    expect((await roundTrip(link)).down).to.be.within(145, 240);
    await toxic.update({ ...toxic.toJson(), attributes: { latency: 300, jitter: 0 } });
    expect((await roundTrip(link)).down).to.be.within(295, 390);
    await toxic.remove();
    expect((await roundTrip(link)).down).to.be.below(50);
  });

  it('leaves a connection alone when its toxicity roll spares it', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'lag',
      type: 'latency',
      stream: 'downstream',
      toxicity: 0,
      attributes: { latency: 500, jitter: 0 },
    });
    expect((await roundTrip(await open(proxy))).down).to.be.below(50);
  });

  it('applies a toxic to each connection with probability `toxicity`', async () => {
    const seeded = await startToxiproxyServer({ host: '127.0.0.1', port: 0, random: seededRandom(7) });
    try {
      const client = new Toxiproxy(seeded.url);
      const proxy = await client.createProxy({
        name: 'coin',
        listen: '127.0.0.1:0',
        upstream: upstream.address,
      });
      await proxy.addToxic({
        name: 'lag',
        type: 'latency',
        stream: 'downstream',
        toxicity: 0.5,
        attributes: { latency: 150, jitter: 0 },
      });
      // One at a time, so each client is paired with its own upstream connection.
      const links = [];
      for (let i = 0; i < 20; i++) links.push(await open(proxy));
      const downs = await Promise.all(links.map(async (link) => (await roundTrip(link)).down));
      const delayed = downs.filter((ms) => ms >= 145).length;
      expect(
        downs.every((ms) => ms < 50 || ms >= 145),
        'each connection either delayed or not',
      ).to.equal(true);
      expect(delayed).to.be.within(5, 15);
    } finally {
      await seeded.close();
    }
  });

  it('timeout 0 lets no data through and never closes; removing it closes the connection, as Toxiproxy does', async () => {
    const proxy = await createProxy();
    const toxic = await proxy.addToxic({
      name: 'cut',
      type: 'timeout',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    const link = await open(proxy);
    link.client.socket.write('ping');
    expect((await link.server.next())?.data.toString()).to.equal('ping');
    link.server.socket.write('pong');
    expect(await link.client.next(600)).to.equal(undefined);
    expect(link.client.closedAt).to.equal(undefined);
    const removed = performance.now();
    await toxic.remove();
    expect(await link.client.closed(1000))
      .to.be.a('number')
      .and.below(removed + 200);
  });

  it('timeout N closes the connection after about N ms', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'cut',
      type: 'timeout',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 300 },
    });
    const opened = performance.now();
    const link = await open(proxy);
    link.server.socket.write('dropped');
    const closedAt = await link.client.closed(2000);
    expect(closedAt, 'client closed').to.be.a('number');
    expect(closedAt! - opened).to.be.within(290, 600);
    expect(await link.server.closed(1000), 'upstream closed too').to.be.a('number');
  });

  it('reset_peer resets the connection (ECONNRESET) `timeout` ms after data reaches it', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'rst',
      type: 'reset_peer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 100 },
    });
    const link = await open(proxy);
    const sent = performance.now();
    link.server.socket.write('boom');
    const closedAt = await link.client.closed(2000);
    expect(link.client.errorCode).to.equal('ECONNRESET');
    expect(closedAt! - sent).to.be.within(95, 500);
    expect(await link.server.closed(1000), 'upstream closed too').to.be.a('number');
  });

  it('limit_data lets `bytes` bytes through, then closes', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'cap',
      type: 'limit_data',
      stream: 'downstream',
      toxicity: 1,
      attributes: { bytes: 1000 },
    });
    const link = await open(proxy);
    const payload = Buffer.alloc(5000, 'x');
    payload.write('start');
    link.server.socket.write(payload);
    const received = Buffer.concat((await link.client.untilClosed()).map((a) => a.data));
    expect(received.equals(payload.subarray(0, 1000))).to.equal(true);
    expect(link.client.closedAt).to.be.a('number');
  });

  it('bandwidth holds throughput within 10% of the rate', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'thin',
      type: 'bandwidth',
      stream: 'downstream',
      toxicity: 1,
      attributes: { rate: 500 },
    });
    const link = await open(proxy);
    const size = 500_000; // 1 s at 500 KB/s (Toxiproxy's KB is 1000 bytes)
    const started = performance.now();
    link.server.socket.write(Buffer.alloc(size, 'b'));
    let received = 0;
    let last = started;
    while (received < size) {
      const arrival = await link.client.next(2000);
      if (!arrival) break;
      received += arrival.data.length;
      last = arrival.at;
    }
    expect(received).to.equal(size);
    expect(last - started).to.be.within(900, 1100);
  });

  it('slicer cuts the stream into small, delayed pieces without losing a byte', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'cut',
      type: 'slicer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { average_size: 10, size_variation: 5, delay: 3000 },
    });
    const link = await open(proxy);
    const payload = Buffer.from('0123456789'.repeat(20));
    link.server.socket.write(payload);
    const pieces: Buffer[] = [];
    while (Buffer.concat(pieces).length < payload.length) {
      const arrival = await link.client.next(1000);
      if (!arrival) break;
      pieces.push(arrival.data);
    }
    expect(Buffer.concat(pieces).equals(payload)).to.equal(true);
    expect(pieces.length).to.be.at.least(8);
    expect(Math.max(...pieces.map((p) => p.length))).to.be.at.most(40);
  });

  it('slow_close passes data at once and holds the close for `delay` ms', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'linger',
      type: 'slow_close',
      stream: 'downstream',
      toxicity: 1,
      attributes: { delay: 300 },
    });
    const link = await open(proxy);
    const ended = performance.now();
    link.server.socket.end('bye');
    const arrival = await link.client.next();
    expect(arrival?.data.toString()).to.equal('bye');
    expect(arrival!.at - ended).to.be.below(50);
    const closedAt = await link.client.closed(2000);
    expect(closedAt! - ended).to.be.within(290, 600);
  });

  it('a disabled proxy closes its connections and refuses new ones; enabled again, it proxies', async () => {
    const proxy = await createProxy();
    const link = await open(proxy);
    const disabled = await proxy.update({ listen: proxy.listen, upstream: proxy.upstream, enabled: false });
    expect(disabled.enabled).to.equal(false);
    expect(await link.client.closed(1000), 'open connection closed').to.be.a('number');
    const refused = await dial(proxy.listen).then(
      () => 'connected',
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(refused).to.equal('ECONNREFUSED');
    const enabled = await disabled.update({ listen: proxy.listen, upstream: proxy.upstream, enabled: true });
    expect(enabled.listen).to.equal(proxy.listen);
    expect((await roundTrip(await open(enabled))).down).to.be.below(50);
  });

  it('reset enables every proxy and removes every toxic', async () => {
    const proxy = await createProxy();
    await proxy.addToxic({
      name: 'lag',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 500, jitter: 0 },
    });
    await proxy.addToxic({
      name: 'cut',
      type: 'timeout',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    await proxy.update({ listen: proxy.listen, upstream: proxy.upstream, enabled: false });
    await toxiproxy.reset();
    const after = await toxiproxy.get(proxy.name);
    expect(after.enabled).to.equal(true);
    const toxics = (await (await fetch(`${server.url}/proxies/${proxy.name}/toxics`)).json()) as unknown[];
    expect(toxics).to.deep.equal([]);
    expect(await roundTrip(await open(after))).to.satisfy(
      (t: { up: number; down: number }) => t.up < 50 && t.down < 50,
    );
  });

  it('populates proxies and reports the version, as the client expects', async () => {
    const proxies = await toxiproxy.populate([
      { name: 'populated', listen: '127.0.0.1:0', upstream: upstream.address },
    ]);
    expect(proxies['populated']?.listen).to.match(/^127\.0\.0\.1:[1-9]\d*$/);
    expect((await roundTrip(await open(proxies['populated']!))).down).to.be.below(50);
    expect(await toxiproxy.getVersion()).to.equal('{"version": "2.12.0"}\n');
  });
});
