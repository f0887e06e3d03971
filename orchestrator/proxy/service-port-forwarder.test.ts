import { expect } from 'chai';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../harness/cluster/local-control-plane.js';
import { ProxyMetrics } from './proxy-metrics.js';
import { ServicePortForwarder, type ForwardRoute } from './service-port-forwarder.js';
import type { EndpointTarget } from './service-routes.js';

/** An endpoint that answers everything it was sent, prefixed with its name, once the client half-closes. */
async function endpoint(name: string): Promise<{ server: Server; target: EndpointTarget }> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('end', () => socket.end(`${name}:${got}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, target: { ip: '127.0.0.1', port, name: `127.0.0.1:${port}` } };
}

/** Resolves with what came back before the connection was closed or reset (unread data makes a close a reset). */
function answerBeforeClose(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', () => undefined);
    socket.write('x');
  });
}

async function refusedTarget(): Promise<EndpointTarget> {
  const port = await freePort();
  return { ip: '127.0.0.1', port, name: `127.0.0.1:${port}` };
}

/** Sends `text`, half-closes, and resolves with all that came back before the connection ended. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    socket.end(text);
  });
}

describe('ServicePortForwarder', () => {
  const servers: Server[] = [];
  let forwarder: ServicePortForwarder | undefined;
  let connections: Set<Socket>;
  let metrics: ProxyMetrics;

  beforeEach(() => {
    connections = new Set();
    metrics = new ProxyMetrics();
  });

  afterEach(() => {
    forwarder?.close();
    for (const s of connections) s.destroy();
    for (const s of servers.splice(0)) s.close();
  });

  const start = async (route: () => ForwardRoute | undefined, failures: string[] = []) => {
    const port = await freePort();
    forwarder = new ServicePortForwarder({
      address: '127.0.0.1',
      port,
      route,
      metrics,
      connectTimeoutMs: 1000,
      connections,
      onConnectFailure: (_route, target) => failures.push(target.name),
    });
    await forwarder.listen();
    return port;
  };

  it('splices a connection to its first candidate, both ways, keeping the half-close', async () => {
    const a = await endpoint('a');
    servers.push(a.server);
    const port = await start(() => ({ service: 'ns/web', portLabel: 'http', candidates: [a.target] }));
    expect(await exchange(port, 'hello')).to.equal('a:hello');
    const text = await metrics.render();
    expect(text).to.contain('kubeproxy_connections_total{service="ns/web",port="http"} 1');
    expect(text).to.contain('kubeproxy_bytes_total{service="ns/web",direction="in"} 5');
    expect(text).to.contain('kubeproxy_bytes_total{service="ns/web",direction="out"} 7');
    expect(text).to.contain('kubeproxy_active_connections{service="ns/web"} 0');
  });

  it('tries the next candidate when one refuses, and counts the failure', async () => {
    const b = await endpoint('b');
    servers.push(b.server);
    const refused = await refusedTarget();
    const failures: string[] = [];
    const port = await start(
      () => ({ service: 'ns/web', portLabel: 'http', candidates: [refused, b.target] }),
      failures,
    );
    expect(await exchange(port, 'x')).to.equal('b:x');
    expect(failures).to.deep.equal([refused.name]);
    expect(await metrics.render()).to.contain(
      `kubeproxy_connect_failures_total{service="ns/web",endpoint="${refused.name}"} 1`,
    );
  });

  it('closes the client connection when every candidate refuses, or there is no route', async () => {
    const refused = [await refusedTarget(), await refusedTarget()];
    let route: ForwardRoute | undefined = { service: 'ns/web', portLabel: 'http', candidates: refused };
    const port = await start(() => route);
    expect(await answerBeforeClose(port)).to.equal('');
    route = undefined;
    expect(await answerBeforeClose(port)).to.equal('');
    route = { service: 'ns/web', portLabel: 'http', candidates: [] };
    expect(await answerBeforeClose(port)).to.equal('');
  });

  it('stops accepting on close, which is safe to call twice', async () => {
    const port = await start(() => undefined);
    forwarder!.close();
    forwarder!.close();
    expect(forwarder!.listening).to.equal(false);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(false));
      socket.once('error', () => resolve(true));
    });
    expect(refused).to.equal(true);
  });

  it('rejects listen with the bind error when the port is taken', async () => {
    const port = await freePort();
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const busy = new ServicePortForwarder({
      address: '127.0.0.1',
      port,
      route: () => undefined,
      metrics,
      connectTimeoutMs: 1000,
      connections,
    });
    const error = await busy.listen().then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error?.code).to.equal('EADDRINUSE');
    expect(busy.listening).to.equal(false);
  });
});
