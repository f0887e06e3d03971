import { expect } from 'chai';
import { request as httpsRequest } from 'node:https';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { fetch as undiciFetch } from 'undici';
import { TEST_TOKENS, TestControlPlane } from '../../../testing/test-control-plane.js';
import { pollUntil } from '../../../harness/support/poll-until.js';
import { findResource } from '../../api/resources.js';
import { ApiServer, type ApiServerOptions } from '../api-server.js';
import { EtcdStorage } from '../storage/etcd-storage.js';
import type { Cacher } from './cacher.js';

const admin = TEST_TOKENS.admin;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;

/** A watch stream read line by line, which a test may stop reading (a slow client) or drop. */
class WatchStream {
  readonly events: any[] = [];
  readonly ended: Promise<'end' | 'error'>;
  private response?: import('node:http').IncomingMessage;
  private readonly req: import('node:http').ClientRequest;

  constructor(url: string, path: string, caPem: string, paused = false) {
    let buffered = '';
    let settle: (how: 'end' | 'error') => void = () => undefined;
    this.ended = new Promise((resolve) => (settle = resolve));
    this.req = httpsRequest(
      url + path,
      { ca: caPem, headers: { authorization: `Bearer ${admin}` } },
      (res) => {
        this.response = res;
        if (paused) res.pause();
        res.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            this.events.push(JSON.parse(buffered.slice(0, nl)));
            buffered = buffered.slice(nl + 1);
          }
        });
        res.on('end', () => settle('end'));
        res.on('error', () => settle('error'));
        res.on('aborted', () => settle('error'));
      },
    );
    this.req.on('error', () => settle('error'));
    this.req.end();
  }

  /** The `type name@resourceVersion` of every event but bookmarks. */
  get seen(): string[] {
    return this.events
      .filter((e) => e.type !== 'BOOKMARK')
      .map((e) => `${e.type} ${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}`);
  }

  resume(): void {
    this.response?.resume();
  }

  close(): void {
    this.req.destroy();
  }
}

/** A TCP proxy in front of etcd that can cut the apiserver off (every connection dropped, new ones refused). */
class CuttableProxy {
  private cut = false;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<CuttableProxy> {
    const server = createServer();
    const proxy = new CuttableProxy(server);
    server.on('connection', (client) => {
      if (proxy.cut) return client.destroy();
      const upstream = connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          proxy.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as import('node:net').AddressInfo).port}`;
  }

  sever(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const cmPath = (ns: string, name = '') => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;

describe('the watch cache against a real etcd', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  const extra: { stop(): Promise<void> }[] = [];

  /** Another apiserver on the same etcd (or another way to it), with watch cache options of its own. */
  async function apiserver(
    overrides: Partial<ApiServerOptions>,
  ): Promise<{ server: ApiServer; url: string }> {
    const server = new ApiServer({ ...cp['options'], port: 0, ...overrides });
    const { url } = await server.start();
    extra.push(server);
    await pollUntil(() => server.ready, 10_000, 'the apiserver to be ready');
    return { server, url };
  }

  const cacherOf = (server: ApiServer): Cacher => server['cachers'].for(CONFIGMAPS);

  async function call(url: string, method: string, path: string) {
    const res = await undiciFetch(url + path, {
      method,
      headers: { authorization: `Bearer ${admin}` },
      dispatcher: cp.agent,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function namespace(name: string) {
    expect((await cp.request('POST', '/api/v1/namespaces', admin, { metadata: { name } })).status).to.equal(
      201,
    );
  }

  before(async () => {
    cp = await TestControlPlane.start();
  });
  afterEach(async () => {
    for (const s of extra.splice(0).reverse()) await s.stop();
  });
  after(() => cp?.stop());

  it('answers a list from the cache as etcd answers it at the same revision', async () => {
    for (const ns of ['agree-a', 'agree-b']) await namespace(ns);
    for (let i = 0; i < 30; i++) {
      const ns = i % 2 ? 'agree-a' : 'agree-b';
      await cp.request('POST', cmPath(ns), admin, {
        metadata: { name: `cm-${i}`, labels: { tier: i % 3 ? 'web' : 'db' } },
        data: { i: String(i) },
      });
    }
    for (let i = 0; i < 30; i += 4)
      await cp.request(
        'PATCH',
        cmPath(i % 2 ? 'agree-a' : 'agree-b', `cm-${i}`),
        admin,
        { metadata: { labels: { tier: 'db' } } },
        'application/merge-patch+json',
      );
    for (let i = 1; i < 30; i += 7)
      await cp.request('DELETE', cmPath(i % 2 ? 'agree-a' : 'agree-b', `cm-${i}`), admin);
    const last = await cp.request('POST', cmPath('agree-a'), admin, { metadata: { name: 'last' } });
    const lastRv = last.body.metadata.resourceVersion as string;

    for (const [where, query] of [
      ['/api/v1/configmaps', ''],
      [cmPath('agree-a'), ''],
      [cmPath('agree-b'), 'labelSelector=tier%3Ddb'],
      ['/api/v1/configmaps', 'labelSelector=tier%21%3Ddb&fieldSelector=metadata.namespace%3Dagree-b'],
    ]) {
      const sep = query ? `&${query}` : '';
      // Not older than the last write: the cache answers once it has it.
      const cached = await cp.request('GET', `${where}?resourceVersion=${lastRv}${sep}`, admin);
      expect(cached.status, JSON.stringify(cached.body)).to.equal(200);
      const at = cached.body.metadata.resourceVersion;
      const fromEtcd = await cp.request(
        'GET',
        `${where}?resourceVersion=${at}&resourceVersionMatch=Exact${sep}`,
        admin,
      );
      expect(fromEtcd.status).to.equal(200);
      expect(cached.body.items, `${where}?${query}`).to.deep.equal(fromEtcd.body.items);
      const any = await cp.request('GET', `${where}?resourceVersion=0${sep}`, admin);
      expect(any.body.items).to.deep.equal(fromEtcd.body.items);
      const consistent = await cp.request('GET', `${where}${query ? `?${query}` : ''}`, admin);
      expect(consistent.body.items).to.deep.equal(fromEtcd.body.items);
    }
  });

  it('replays exactly from any resourceVersion in its window, with and without a selector', async () => {
    await namespace('replay');
    const base = (await cp.request('GET', cmPath('replay'), admin)).body.metadata.resourceVersion as string;
    // A history: creates, updates, a label moving objects into and out of a selector, deletes.
    const log: { type: string; name: string; rv: string; red: boolean; wasRed: boolean }[] = [];
    const red = new Map<string, boolean>();
    const write = async (method: string, name: string, body?: unknown, type?: string) => {
      const path = method === 'POST' ? cmPath('replay') : cmPath('replay', name);
      const r = await cp.request(method, path, admin, body, type);
      expect(r.status, JSON.stringify(r.body)).to.be.within(200, 201);
      const rv = method === 'DELETE' ? undefined : (r.body.metadata.resourceVersion as string);
      const wasRed = red.get(name) ?? false;
      const isRed = method === 'DELETE' ? wasRed : r.body.metadata.labels?.color === 'red';
      red.set(name, isRed);
      log.push({
        type: method === 'POST' ? 'ADDED' : method === 'DELETE' ? 'DELETED' : 'MODIFIED',
        name,
        rv: rv ?? '',
        red: isRed,
        wasRed,
      });
    };
    const merge = 'application/merge-patch+json';
    for (let i = 0; i < 6; i++)
      await write('POST', `o${i}`, {
        metadata: { name: `o${i}`, labels: { color: i % 2 ? 'red' : 'blue' } },
      });
    for (let i = 0; i < 6; i++)
      await write('PATCH', `o${i}`, { metadata: { labels: { color: i % 2 ? 'blue' : 'red' } } }, merge);
    await write('PATCH', 'o0', { data: { k: 'v' } }, merge);
    for (let i = 0; i < 6; i += 2) await write('DELETE', `o${i}`);
    // A delete answers with a Status: its resourceVersion is what a watch of everything says.
    const all = new WatchStream(
      cp.url,
      `${cmPath('replay')}?watch=true&resourceVersion=${base}`,
      cp.ca.certPem,
    );
    await pollUntil(() => all.events.length >= log.length, 10_000, 'the whole history');
    all.close();
    log.forEach((entry, i) => (entry.rv ||= all.events[i].object.metadata.resourceVersion));
    const expectedAll = (from: number) => log.slice(from).map((e) => `${e.type} ${e.name}@${e.rv}`);
    const expectedRed = (from: number) =>
      log.slice(from).flatMap((e) => {
        if (e.type === 'DELETED') return e.wasRed ? [`DELETED ${e.name}@${e.rv}`] : [];
        if (e.type === 'ADDED') return e.red ? [`ADDED ${e.name}@${e.rv}`] : [];
        if (e.red) return [`${e.wasRed ? 'MODIFIED' : 'ADDED'} ${e.name}@${e.rv}`];
        return e.wasRed ? [`DELETED ${e.name}@${e.rv}`] : [];
      });
    expect(all.seen).to.deep.equal(expectedAll(0));
    // From every resourceVersion of the history (and the one before it), both ways.
    const starts = [base, ...log.map((e) => e.rv)];
    for (const [i, rv] of starts.entries()) {
      const plain = new WatchStream(
        cp.url,
        `${cmPath('replay')}?watch=true&resourceVersion=${rv}`,
        cp.ca.certPem,
      );
      const selected = new WatchStream(
        cp.url,
        `${cmPath('replay')}?watch=true&labelSelector=color%3Dred&resourceVersion=${rv}`,
        cp.ca.certPem,
      );
      const wantPlain = expectedAll(i);
      const wantRed = expectedRed(i);
      await pollUntil(
        () => plain.events.length >= wantPlain.length && selected.events.length >= wantRed.length,
        10_000,
        `the replay from ${rv}`,
      );
      await new Promise((r) => setTimeout(r, 50));
      plain.close();
      selected.close();
      expect(plain.seen, `from ${rv}`).to.deep.equal(wantPlain);
      expect(selected.seen, `from ${rv}, color=red`).to.deep.equal(wantRed);
    }
  });

  it('answers 410 for a resourceVersion just before its window, and replays from the window’s start', async () => {
    const { server, url } = await apiserver({
      watchCache: { window: { minEvents: 0, maxEvents: 10, maxAgeMs: 60_000 }, historyRevisions: 0 },
    });
    await namespace('window');
    const rvs: number[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await cp.request('POST', cmPath('window'), admin, { metadata: { name: `w${i}` } });
      rvs.push(Number(r.body.metadata.resourceVersion));
    }
    const cacher = cacherOf(server);
    await pollUntil(() => cacher.revision >= rvs[24]!, 5000, 'the cache to have every write');
    // The window holds the last 10 events: it reaches back to the 15th write's revision.
    expect(cacher.windowStart).to.equal(rvs[14]);
    const fromStart = new WatchStream(
      url,
      `${cmPath('window')}?watch=true&resourceVersion=${rvs[14]}`,
      cp.ca.certPem,
    );
    const tooOld = new WatchStream(
      url,
      `${cmPath('window')}?watch=true&resourceVersion=${rvs[14]! - 1}`,
      cp.ca.certPem,
    );
    expect(await tooOld.ended).to.equal('end');
    expect(tooOld.events).to.have.length(1);
    expect(tooOld.events[0].type).to.equal('ERROR');
    expect(tooOld.events[0].object).to.include({ kind: 'Status', code: 410, reason: 'Expired' });
    await pollUntil(() => fromStart.events.length >= 10, 5000, 'the window');
    fromStart.close();
    expect(fromStart.seen).to.deep.equal(rvs.slice(15).map((rv, i) => `ADDED w${i + 15}@${rv}`));
  });

  it('cuts off a watcher that does not read, and the others get every event', async () => {
    const { server, url } = await apiserver({ watchCache: { maxPendingBytes: 256 * 1024 } });
    await namespace('slow');
    const base = (await cp.request('GET', cmPath('slow'), admin)).body.metadata.resourceVersion;
    const slow = new WatchStream(
      url,
      `${cmPath('slow')}?watch=true&resourceVersion=${base}`,
      cp.ca.certPem,
      true,
    );
    const fast = new WatchStream(url, `${cmPath('slow')}?watch=true&resourceVersion=${base}`, cp.ca.certPem);
    const cacher = cacherOf(server);
    await pollUntil(() => cacher.watcherCount === 2, 5000, 'both watchers');
    const big = 'x'.repeat(200 * 1024);
    let written = 0;
    // Until the server gives up on the slow one (kernel buffers take the first few megabytes).
    while (cacher.watcherCount === 2 && written < 200) {
      const r = await cp.request('POST', cmPath('slow'), admin, {
        metadata: { name: `big-${written}` },
        data: { big },
      });
      expect(r.status).to.equal(201);
      written++;
    }
    expect(cacher.watcherCount, `the slow watcher still open after ${written} writes`).to.equal(1);
    await cp.request('POST', cmPath('slow'), admin, { metadata: { name: 'after' } });
    written++;
    await pollUntil(() => fast.events.length >= written, 20_000, 'every event at the fast watcher');
    expect(fast.seen.map((s) => s.split('@')[0])).to.deep.equal([
      ...Array.from({ length: written - 1 }, (_, i) => `ADDED big-${i}`),
      'ADDED after',
    ]);
    slow.resume();
    expect(await slow.ended, 'the slow watcher’s stream was cut').to.equal('error');
    expect(slow.events.length).to.be.lessThan(written);
    fast.close();
  });

  it('keeps its watchers through an etcd outage, serves resourceVersion=0 meanwhile, and goes on after it', async () => {
    await namespace('outage');
    await cp.request('POST', cmPath('outage'), admin, { metadata: { name: 'before' } });
    const rv = (await cp.request('GET', cmPath('outage'), admin)).body.metadata.resourceVersion;
    const watch = new WatchStream(
      cp.url,
      `${cmPath('outage')}?watch=true&resourceVersion=${rv}`,
      cp.ca.certPem,
    );
    await pollUntil(() => cacherOf(cp.server).watcherCount >= 1, 5000, 'the watcher');
    await cp.etcd.stop();
    try {
      const consistent = await cp.request('GET', cmPath('outage'), admin);
      expect(consistent.status, 'a consistent list needs etcd').to.be.within(500, 599);
      const any = await cp.request('GET', `${cmPath('outage')}?resourceVersion=0`, admin);
      expect(any.status, 'any resourceVersion: the cache answers').to.equal(200);
      expect(any.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['before']);
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await cp.etcd.start();
    }
    await pollUntil(
      async () =>
        (await cp.request('POST', cmPath('outage'), admin, { metadata: { name: 'after' } })).status === 201,
      10_000,
      'etcd back',
    );
    await pollUntil(() => watch.events.length >= 1, 10_000, 'the write after the outage on the same stream');
    watch.close();
    expect(watch.seen.map((s) => s.split('@')[0])).to.deep.equal(['ADDED after']);
  });

  it('lists again when etcd compacted past it while it was cut off: its watchers end, and 410 tells clients to relist', async () => {
    const proxy = await CuttableProxy.start(cp.etcd.clientPort);
    extra.push({ stop: () => proxy.close() });
    const { server, url } = await apiserver({
      etcdServers: [proxy.endpoint],
      watchCache: { historyRevisions: 0 },
    });
    await namespace('behind');
    const first = await cp.request('POST', cmPath('behind'), admin, { metadata: { name: 'first' } });
    const rv = first.body.metadata.resourceVersion as string;
    const cacher = cacherOf(server);
    await pollUntil(() => cacher.revision >= Number(rv), 5000, 'the cache to have the first write');
    const watch = new WatchStream(url, `${cmPath('behind')}?watch=true&resourceVersion=${rv}`, cp.ca.certPem);
    await pollUntil(() => cacher.watcherCount === 1, 5000, 'the watcher');
    proxy.sever();
    const direct = new EtcdStorage({ endpoints: [cp.etcd.url], requestTimeoutMs: 2000 });
    try {
      // Two writes, and a compaction to the second: the cache would need the first to go on.
      await cp.request('POST', cmPath('behind'), admin, { metadata: { name: 'while-cut' } });
      await cp.request(
        'PATCH',
        cmPath('behind', 'while-cut'),
        admin,
        { data: { v: '2' } },
        'application/merge-patch+json',
      );
      await direct.compact(await direct.currentRevision());
    } finally {
      direct.close();
      proxy.restore();
    }
    expect(await watch.ended, 'its watchers are ended').to.equal('end');
    await pollUntil(() => cacher.ready && cacher.revision > Number(rv), 10_000, 'the cache to list again');
    const again = new WatchStream(url, `${cmPath('behind')}?watch=true&resourceVersion=${rv}`, cp.ca.certPem);
    expect(await again.ended).to.equal('end');
    expect(again.events[0]?.object).to.include({ code: 410 });
    const listed = await call(url, 'GET', `${cmPath('behind')}?resourceVersion=0`);
    expect(listed.body.items.map((i: any) => i.metadata.name)).to.deep.equal(['first', 'while-cut']);
  });

  it('resumes a watch from before an apiserver restart from etcd’s history', async () => {
    await namespace('restart');
    const rv = (await cp.request('POST', cmPath('restart'), admin, { metadata: { name: 'a' } })).body.metadata
      .resourceVersion;
    await cp.request(
      'PATCH',
      cmPath('restart', 'a'),
      admin,
      { data: { v: '2' } },
      'application/merge-patch+json',
    );
    await cp.restartApiServer();
    // The new cache listed after the patch: only etcd's history has it. The window reaches back
    // once all of the history came in on the cache's etcd watch (a watch from before waits for it).
    await pollUntil(
      () => cacherOf(cp.server).windowStart < Number(rv),
      5000,
      'the window to reach back before the restart',
    );
    await cp.request('POST', cmPath('restart'), admin, { metadata: { name: 'b' } });
    const watch = new WatchStream(
      cp.url,
      `${cmPath('restart')}?watch=true&resourceVersion=${rv}`,
      cp.ca.certPem,
    );
    await pollUntil(() => watch.events.length >= 2, 5000, 'the replay');
    watch.close();
    expect(watch.seen.map((s) => s.split('@')[0])).to.deep.equal(['MODIFIED a', 'ADDED b']);
  });
});
