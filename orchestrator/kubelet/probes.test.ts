import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContainerProbes, runProbe, type ProbeListener, type ProbeTarget } from './probes.js';
import { PortAllocator } from './port-allocator.js';
import { imageRepository } from '../api/image-reference.js';
import { envName } from './pod-worker.js';

describe('kubelet probes', function () {
  this.timeout(15_000);
  let server: Server;
  let port: number;
  let healthy = true;

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 3000);
      res.statusCode = req.url === '/health' && healthy ? 200 : 500;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const target = (): ProbeTarget => ({
    host: '127.0.0.1',
    env: { PATH: process.env.PATH ?? '' },
    resolvePort: (p) => (p === 'http' || p === 8080 ? port : typeof p === 'number' ? p : undefined),
  });

  it('runs httpGet, tcpSocket and exec probes once', async () => {
    healthy = true;
    expect(await runProbe({ httpGet: { path: '/health', port: 'http' } }, target())).to.deep.equal({
      outcome: 'success',
    });
    expect((await runProbe({ httpGet: { path: '/nope', port: 8080 } }, target())).outcome).to.equal(
      'failure',
    );
    const slow = await runProbe({ httpGet: { path: '/slow', port: 8080 }, timeoutSeconds: 1 }, target());
    expect(slow.outcome).to.equal('failure');
    expect(slow.message).to.match(/timeout/);
    expect((await runProbe({ tcpSocket: { port: 8080 } }, target())).outcome).to.equal('success');
    expect((await runProbe({ tcpSocket: { port: 1 } }, target())).outcome).to.equal('failure');
    expect((await runProbe({ httpGet: { port: 'nope' } }, target())).message).to.match(/not a port/);
    expect(
      (await runProbe({ exec: { command: ['node', '-e', 'process.exit(0)'] } }, target())).outcome,
    ).to.equal('success');
    expect(
      (await runProbe({ exec: { command: ['node', '-e', 'process.exit(2)'] } }, target())).message,
    ).to.equal('command exited with 2');
  });

  function recorder() {
    const events: string[] = [];
    const listener: ProbeListener = {
      started: () => events.push('started'),
      readiness: (ready) => events.push(`ready=${ready}`),
      unhealthy: (kind) => events.push(`unhealthy:${kind}`),
      result: (kind, outcome) => events.push(`${kind}:${outcome}`),
    };
    return { events, listener };
  }

  it('needs successThreshold successes to become ready and failureThreshold failures to stop being so', async () => {
    healthy = true;
    const { events, listener } = recorder();
    const probes = new ContainerProbes(
      {
        readiness: {
          httpGet: { path: '/health', port: 8080 },
          periodSeconds: 1,
          successThreshold: 2,
          failureThreshold: 2,
        },
      },
      target(),
      listener,
    );
    probes.start();
    try {
      await new Promise((r) => setTimeout(r, 1300));
      expect(events).to.deep.equal(['started', 'readiness:success', 'readiness:success', 'ready=true']);
      healthy = false;
      await new Promise((r) => setTimeout(r, 2000));
      expect(events.slice(4)).to.deep.equal(['readiness:failure', 'readiness:failure', 'ready=false']);
    } finally {
      probes.stop();
    }
  });

  it('runs liveness only after the startup probe passed, and reports a failing one', async () => {
    healthy = false;
    const { events, listener } = recorder();
    const probes = new ContainerProbes(
      {
        startup: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        liveness: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
      },
      target(),
      listener,
    );
    probes.start();
    try {
      await new Promise((r) => setTimeout(r, 1300));
      expect(events).to.deep.equal([
        'startup:success',
        'started',
        'ready=true',
        'liveness:failure',
        'liveness:failure',
        'unhealthy:liveness',
      ]);
    } finally {
      probes.stop();
    }
  });
});

describe('kubelet helpers', () => {
  it('maps image references to repositories', () => {
    expect(imageRepository('crucible/echo')).to.equal('crucible/echo');
    expect(imageRepository('docker.io/crucible/echo:v2@sha256:abc')).to.equal('crucible/echo');
    expect(imageRepository('registry:5000/crucible/echo')).to.equal('registry:5000/crucible/echo');
    expect(imageRepository(' crucible/echo')).to.equal('');
  });

  it('names environment variables as Kubernetes does', () => {
    expect(envName('my-svc')).to.equal('MY_SVC');
  });

  it('hands out distinct free ports, the preferred one when free', async () => {
    const ports = new PortAllocator('127.0.0.1');
    const a = await ports.allocate();
    const b = await ports.allocate(a);
    expect(b).to.not.equal(a);
    ports.release(a);
    expect(await ports.allocate(a)).to.equal(a);
  });
});
