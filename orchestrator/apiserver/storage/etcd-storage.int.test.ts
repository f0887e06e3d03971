import { expect } from 'chai';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { EtcdProcess } from '../../../testing/etcd-process.js';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { EtcdStorage, type EtcdStorageOptions } from './etcd-storage.js';

/**
 * A TCP proxy in front of etcd that can hold back etcd's answers, as a slow link or an
 * overloaded member does: the request arrives, the response does not, and the call runs into
 * its deadline.
 */
class StallingProxy {
  private stalled = false;
  private readonly held: Array<() => void> = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<StallingProxy> {
    const server = createServer();
    const proxy = new StallingProxy(server);
    server.on('connection', (client) => {
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
      client.on('data', (chunk) => upstream.write(chunk));
      upstream.on('data', (chunk) => {
        if (proxy.stalled) proxy.held.push(() => client.write(chunk));
        else client.write(chunk);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get endpoint(): string {
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('proxy is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  stall(): void {
    this.stalled = true;
  }

  /** Lets etcd's answers through again, the held ones first. */
  resume(): void {
    this.stalled = false;
    for (const send of this.held.splice(0)) send();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const KEY = '/registry/configmaps/default/settings';
const CONFIG_MAP: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'default' },
};

describe('EtcdStorage against one etcd member', function () {
  this.timeout(30_000);
  let etcd: EtcdProcess;
  let proxy: StallingProxy;
  let storage: EtcdStorage;

  before(async () => {
    etcd = await EtcdProcess.start();
    proxy = await StallingProxy.start(etcd.clientPort);
    storage = new EtcdStorage({ endpoints: [proxy.endpoint], requestTimeoutMs: 500 });
    await storage.create(KEY, CONFIG_MAP, { resource: 'configmaps', group: '', name: 'settings' });
  });
  after(async () => {
    storage?.close();
    await proxy?.close();
    await etcd?.destroy();
  });

  it('fails only the call that ran past its deadline: with no other member to turn to, the next call goes to etcd', async () => {
    proxy.stall();
    const slow = await storage.get(KEY).then(
      () => undefined,
      (e: unknown) => e,
    );
    proxy.resume();
    expect(slow).to.be.instanceOf(ApiError);
    expect((slow as ApiError).reason).to.equal('Timeout');
    const next = await storage.get(KEY);
    expect(next?.metadata.name).to.equal('settings');
  });
});

describe('EtcdStorage against an etcd that requires client certificates (as a cluster’s etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdProcess;

  before(async () => {
    etcd = await EtcdProcess.start({ tls: true });
  });
  after(() => etcd?.destroy());

  /** A create, then a get of what it wrote, through a storage with these TLS settings. */
  async function roundTrip(tls: EtcdStorageOptions['tls'], name: string): Promise<unknown> {
    const storage = new EtcdStorage({ endpoints: [etcd.url], requestTimeoutMs: 2000, tls });
    try {
      const key = `/registry/configmaps/default/${name}`;
      await storage.create(
        key,
        { ...CONFIG_MAP, metadata: { name, namespace: 'default' } },
        {
          resource: 'configmaps',
          group: '',
          name,
        },
      );
      return (await storage.get(key))?.metadata.name;
    } catch (e) {
      return e;
    } finally {
      storage.close();
    }
  }

  it('reads and writes with a client certificate signed by etcd’s CA', async () => {
    const pki = etcd.pki!;
    expect(etcd.url).to.match(/^https:/);
    expect(
      await roundTrip({ caPem: pki.caPem, certPem: pki.client.certPem, keyPem: pki.client.keyPem }, 'tls'),
    ).to.equal('tls');
  });

  it('gets nowhere without one, or over plain http: etcd unavailable', async () => {
    const withoutCertificate = await roundTrip({ caPem: etcd.pki!.caPem }, 'anonymous');
    expect(withoutCertificate).to.be.instanceOf(ApiError);
    expect((withoutCertificate as ApiError).code).to.equal(503);
    expect((withoutCertificate as ApiError).message).to.match(
      /alert bad certificate|alert certificate required/,
    );
    const storage = new EtcdStorage({
      endpoints: [etcd.url.replace('https:', 'http:')],
      requestTimeoutMs: 2000,
    });
    try {
      const plain = await storage.get(KEY).catch((e: unknown) => e);
      expect(plain).to.be.instanceOf(ApiError);
      expect((plain as ApiError).code).to.equal(503);
    } finally {
      storage.close();
    }
  });
});
