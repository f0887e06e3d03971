import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const PROGRAM = fileURLToPath(new URL('./isolation-probe.ts', import.meta.url));

interface Line {
  kind: string;
  target: string;
  outcome: string;
  detail: string;
}

/** A loopback server that does `onConnection` with each connection; resolves with its port. */
async function serve(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** The program, from its source, with only PROBE_PEERS to try; its peer lines. */
async function probePeers(peers: Record<string, number>): Promise<Line[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', PROGRAM], {
    env: {
      PATH: process.env.PATH,
      PROBE_PEERS: Object.entries(peers)
        .map(([name, port]) => `${name}=127.0.0.1:${port}`)
        .join(','),
    },
    timeout: 15_000,
  });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line)
    .filter((l) => l.kind === 'peer');
}

describe('isolation-probe program: peers', function () {
  this.timeout(20_000);
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('counts a peer as reached only when it answered a byte, and says why each other one was not', async () => {
    const answering = await serve((socket) => {
      track(socket);
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello'));
    });
    const resetting = await serve((socket) => {
      track(socket);
      socket.once('data', () => socket.resetAndDestroy());
    });
    const closing = await serve((socket) => {
      track(socket);
      socket.end();
    });
    const silent = await serve(track);
    const closed = await serve(() => undefined);
    servers.push(answering.server, resetting.server, closing.server, silent.server);
    await new Promise((resolve) => closed.server.close(resolve));

    const started = performance.now();
    const lines = await probePeers({
      'pod tenant-b/echo-1:8080': answering.port,
      'service tenant-b/proxied:80': resetting.port,
      'pod tenant-b/closing:8080': closing.port,
      'pod tenant-b/silent:8080': silent.port,
      'pod tenant-b/gone:8080': closed.port,
    });
    const byName = Object.fromEntries(lines.map((l) => [l.target.split(' 127.0.0.1:')[0], l]));
    expect(byName['pod tenant-b/echo-1:8080']).to.deep.include({
      target: `pod tenant-b/echo-1:8080 127.0.0.1:${answering.port}`,
      outcome: 'leaked',
      detail: 'HTTP/1.1 200 OK',
    });
    expect(byName['service tenant-b/proxied:80']).to.deep.include({
      outcome: 'denied',
      detail: 'reset after connecting (ECONNRESET)',
    });
    expect(byName['pod tenant-b/closing:8080']).to.deep.include({
      outcome: 'denied',
      detail: 'closed without an answer',
    });
    expect(byName['pod tenant-b/silent:8080']).to.deep.include({
      outcome: 'denied',
      detail: 'no answer within 2000 ms',
    });
    expect(byName['pod tenant-b/gone:8080']).to.deep.include({
      outcome: 'denied',
      detail: 'refused (ECONNREFUSED)',
    });
    // The silent peer's 2 s deadline runs alongside the others, not after them.
    expect(performance.now() - started).to.be.below(8_000);
  });

  it('sends an HTTP/1.0 GET with the peer’s host', async () => {
    let asked = '';
    const recording = await serve((socket) => {
      track(socket);
      socket.once('data', (request) => {
        asked = request.toString();
        socket.end('HTTP/1.0 404 Not Found\r\n\r\n');
      });
    });
    servers.push(recording.server);
    const [line] = await probePeers({ 'pod tenant-b/echo-1:8080': recording.port });
    expect(asked).to.equal('GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n');
    expect(line).to.deep.include({ outcome: 'leaked', detail: 'HTTP/1.0 404 Not Found' });
  });
});
