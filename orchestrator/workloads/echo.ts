/**
 * crucible/echo: the HTTP server the harness loads and probes. Every GET is answered with who
 * answered it (pod, namespace, node), how many requests this process has served, and what was
 * asked (path, host), so a load driver can tell which replica served each request.
 *
 * Environment: PORT (default 8080), POD_IP (bind address, default 0.0.0.0), POD_NAME,
 * POD_NAMESPACE, NODE_NAME; LATENCY_MS (delay added to each answer), ERROR_RATE (0..1, the
 * fraction answered 500), SEED (makes the error draws reproducible), READY_AFTER_MS (readiness
 * starts false for this long). Faults apply to echo answers only: /healthz, /readyz and /ready
 * stay truthful, as the probes must see the process as it is.
 *
 * Endpoints: GET /healthz → 200 "ok"; GET /readyz → 200 or 503; POST /ready?state=true|false
 * sets readiness (without state it flips); any other GET or HEAD → the JSON echo.
 * SIGTERM or SIGINT: stops accepting, closes idle keep-alive connections, exits 0 within 200 ms.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../api/seeded-random.js';

/** Exit code for a configuration the program cannot run with. */
const BAD_CONFIG = 2;
/** In-flight answers get this long after a stop signal; the whole exit must fit in 200 ms. */
const SHUTDOWN_GRACE_MS = 150;

const env = process.env;
const config = {
  port: numberEnv('PORT', 8080, 0, 65535, true),
  host: env.POD_IP || '0.0.0.0',
  pod: env.POD_NAME ?? '',
  namespace: env.POD_NAMESPACE ?? '',
  node: env.NODE_NAME ?? '',
  latencyMs: numberEnv('LATENCY_MS', 0, 0, 3_600_000, false),
  errorRate: numberEnv('ERROR_RATE', 0, 0, 1, false),
  readyAfterMs: numberEnv('READY_AFTER_MS', 0, 0, 86_400_000, false),
};
const random = env.SEED !== undefined && env.SEED !== '' ? seededRandom(env.SEED) : Math.random;
const startedAt = performance.now();

let served = 0;
let wantReady = true;
let stopping = false;

const server = createServer((req, res) => {
  if (stopping) res.setHeader('connection', 'close');
  const url = new URL(req.url ?? '/', 'http://echo');
  const method = req.method ?? 'GET';
  if (url.pathname === '/healthz' && isRead(method)) return text(res, 200, 'ok');
  if (url.pathname === '/readyz' && isRead(method))
    return isReady() ? text(res, 200, 'ok') : text(res, 503, 'not ready');
  if (url.pathname === '/ready' && method === 'POST') return setReadiness(url, res);
  if (!isRead(method)) {
    res.setHeader('allow', 'GET, HEAD');
    return text(res, 405, 'method not allowed');
  }
  echo(req, res);
});

server.on('clientError', (_err, socket) => socket.destroy());
server.once('error', (e: NodeJS.ErrnoException) => {
  process.stderr.write(`echo: cannot listen on ${config.host}:${config.port}: ${e.code ?? e.message}\n`);
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const { address, port } = server.address() as AddressInfo;
  process.stdout.write(
    JSON.stringify({ msg: 'listening', program: 'echo', address, port, pod: config.pod }) + '\n',
  );
});

process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

function echo(req: IncomingMessage, res: ServerResponse): void {
  const counter = ++served;
  const fail = config.errorRate > 0 && random() < config.errorRate;
  const answer = () => {
    const body = {
      pod: config.pod,
      namespace: config.namespace,
      node: config.node,
      counter,
      path: req.url ?? '/',
      host: req.headers.host ?? '',
    };
    json(res, fail ? 500 : 200, fail ? { ...body, error: 'injected failure (ERROR_RATE)' } : body);
  };
  if (config.latencyMs > 0) setTimeout(answer, config.latencyMs);
  else answer();
}

function setReadiness(url: URL, res: ServerResponse): void {
  const state = url.searchParams.get('state');
  if (state === null) wantReady = !wantReady;
  else if (state === 'true' || state === 'false') wantReady = state === 'true';
  else return text(res, 400, `state must be true or false, not "${state}"`);
  json(res, 200, { ready: isReady() });
}

function isReady(): boolean {
  return wantReady && performance.now() - startedAt >= config.readyAfterMs;
}

function isRead(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function shutdown(): void {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
}

function numberEnv(name: string, fallback: number, min: number, max: number, integer: boolean): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    process.stderr.write(
      `echo: ${name}="${raw}" is not a ${integer ? 'whole ' : ''}number in ${min}..${max}\n`,
    );
    process.exit(BAD_CONFIG);
  }
  return value;
}
