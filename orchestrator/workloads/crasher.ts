/**
 * crucible/crasher: a pod that fails on purpose, to exercise restart policies and back-off. It
 * serves a minimal HTTP server until it exits with EXIT_CODE (default 1) after CRASH_AFTER_MS
 * (default 2000), or at once on `POST /crash`.
 *
 * Environment: PORT (default 8080), POD_IP (bind address, default 0.0.0.0), POD_NAME,
 * POD_NAMESPACE, NODE_NAME, EXIT_CODE (0..255), CRASH_AFTER_MS.
 * Endpoints: GET /healthz → 200 "ok"; POST /crash → 202, then the exit; any other GET → JSON
 * naming the pod and when it will crash. SIGTERM or SIGINT: exits 0 at once (a stop, not a crash).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Exit code for a configuration the program cannot run with. */
const BAD_CONFIG = 2;

const env = process.env;
const config = {
  port: numberEnv('PORT', 8080, 0, 65535),
  host: env.POD_IP || '0.0.0.0',
  pod: env.POD_NAME ?? '',
  namespace: env.POD_NAMESPACE ?? '',
  node: env.NODE_NAME ?? '',
  exitCode: numberEnv('EXIT_CODE', 1, 0, 255),
  crashAfterMs: numberEnv('CRASH_AFTER_MS', 2000, 0, 2_147_483_647),
};
const crashAt = Date.now() + config.crashAfterMs;

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://crasher').pathname;
  if (req.method === 'POST' && path === '/crash') {
    res.setHeader('connection', 'close');
    text(res, 202, `crashing with exit code ${config.exitCode}\n`);
    res.once('finish', () => crash('POST /crash'));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD, POST');
    return text(res, 405, 'method not allowed');
  }
  if (path === '/healthz') return text(res, 200, 'ok');
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      pod: config.pod,
      namespace: config.namespace,
      node: config.node,
      crashInMs: Math.max(0, crashAt - Date.now()),
    }),
  );
});

server.on('clientError', (_err, socket) => socket.destroy());
server.once('error', (e: NodeJS.ErrnoException) => {
  process.stderr.write(`crasher: cannot listen on ${config.host}:${config.port}: ${e.code ?? e.message}\n`);
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const { address, port } = server.address() as AddressInfo;
  process.stdout.write(
    JSON.stringify({ msg: 'listening', program: 'crasher', address, port, pod: config.pod }) + '\n',
  );
});

setTimeout(() => crash(`${config.crashAfterMs} ms elapsed`), config.crashAfterMs);
process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));

function crash(why: string): void {
  process.stderr.write(`crasher: ${why}, exiting with code ${config.exitCode}\n`);
  process.exit(config.exitCode);
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}

function numberEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    process.stderr.write(`crasher: ${name}="${raw}" is not a whole number in ${min}..${max}\n`);
    process.exit(BAD_CONFIG);
  }
  return value;
}
