import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer } from '../toxiproxy/index.js';
import { percentile } from './percentile.js';

export interface ProxyBenchResult {
  /** MB/s through one connection, direct and through the bundled Toxiproxy (no toxics). */
  directMBps: number;
  proxiedMBps: number;
  /** Round trip of a 64-byte message, p50/p99 in ms, direct and proxied. */
  directRttP50Ms: number;
  directRttP99Ms: number;
  proxiedRttP50Ms: number;
  proxiedRttP99Ms: number;
}

const TRANSFER_BYTES = 256 * 2 ** 20;
const ROUND_TRIPS = 2000;

/** The bundled Toxiproxy's throughput and added latency against a direct connection to the same echo server. */
export async function benchProxy(): Promise<ProxyBenchResult> {
  const echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const echoPort = (echo.address() as AddressInfo).port;
  const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  try {
    const proxy = await new Toxiproxy(server.url).createProxy({
      name: 'bench',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${echoPort}`,
    });
    const proxyPort = Number(proxy.listen.split(':').pop());
    const direct = await measure(echoPort);
    const proxied = await measure(proxyPort);
    direct.rtts.sort((a, b) => a - b);
    proxied.rtts.sort((a, b) => a - b);
    return {
      directMBps: direct.mbps,
      proxiedMBps: proxied.mbps,
      directRttP50Ms: percentile(direct.rtts, 0.5),
      directRttP99Ms: percentile(direct.rtts, 0.99),
      proxiedRttP50Ms: percentile(proxied.rtts, 0.5),
      proxiedRttP99Ms: percentile(proxied.rtts, 0.99),
    };
  } finally {
    await server.close();
    await new Promise((r) => echo.close(r));
  }
}

async function measure(port: number): Promise<{ mbps: number; rtts: number[] }> {
  const socket = await open(port);
  try {
    const rtts: number[] = [];
    const message = Buffer.alloc(64, 1);
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const started = performance.now();
      await roundTrip(socket, message);
      rtts.push(performance.now() - started);
    }
    // Throughput: write TRANSFER_BYTES and wait until all of it has echoed back.
    const chunk = Buffer.alloc(64 * 1024, 7);
    const started = performance.now();
    let received = 0;
    const done = new Promise<void>((resolve) => {
      const onData = (c: Buffer) => {
        received += c.length;
        if (received >= TRANSFER_BYTES) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
    });
    for (let sent = 0; sent < TRANSFER_BYTES; sent += chunk.length)
      if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
    await done;
    return { mbps: TRANSFER_BYTES / 2 ** 20 / ((performance.now() - started) / 1000), rtts };
  } finally {
    socket.destroy();
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s.setNoDelay(true)));
    s.once('error', reject);
  });
}

function roundTrip(socket: Socket, message: Buffer): Promise<void> {
  return new Promise((resolve) => {
    let got = 0;
    const onData = (c: Buffer) => {
      got += c.length;
      if (got >= message.length) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.write(message);
  });
}
