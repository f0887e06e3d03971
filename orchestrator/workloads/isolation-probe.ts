/**
 * `crucible/isolation-probe`: a tenant's pod that tries, once, to step outside what a pod may
 * touch, and prints one JSON line per attempt (then exits 0). The harness's isolation battery runs
 * it in each tenant namespace and reads its log; every attempt that got through is a failed
 * probe: of namespace-isolation, or of network-isolation for a peer that answered.
 *
 * What it tries comes from its environment (each a comma-separated list):
 * - PROBE_FILES: folders and files; every file below them is opened for reading (at most 2000);
 * - PROBE_URLS: `name=url`, each fetched once (http or https, without a client certificate);
 * - PROBE_FOREIGN_NAMESPACES: namespaces of other tenants, whose pods it asks the apiserver for with
 *   its own ServiceAccount token (from /var/run/secrets/kubernetes.io/serviceaccount), as an
 *   in-cluster client would (KUBERNETES_SERVICE_HOST/PORT);
 * - PROBE_PEERS: `name=host:port` of other tenants' pods and Services it tries to talk to: it
 *   connects, sends an HTTP/1.0 GET and waits for an answer. A peer counts as reached only when
 *   it answered a byte: a node port's proxy accepts the handshake before it can apply a network
 *   policy and then resets, so an accepted connection alone says nothing. Peers are tried a few
 *   at a time, so a long list still ends within seconds.
 *
 * Each line: {"kind","target","outcome","detail"}; outcome is `denied` (the attempt was refused:
 * no such permission, refused, reset, closed without an answer, timed out, 401/403), `leaked` (it
 * got something: for a peer, `detail` is the first line of its answer), or `missing` (nothing
 * there: a file that does not exist).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';

type Outcome = 'denied' | 'leaked' | 'missing';
interface Attempt {
  kind: 'file' | 'url' | 'api' | 'peer';
  target: string;
  outcome: Outcome;
  detail: string;
}

const TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const MAX_FILES = 2000;
const TIMEOUT_MS = 2000;

function list(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function pairs(name: string): [string, string][] {
  return list(name).map((item) => {
    const eq = item.indexOf('=');
    return [item.slice(0, eq), item.slice(eq + 1)];
  });
}

function report(attempt: Attempt): void {
  process.stdout.write(JSON.stringify(attempt) + '\n');
}

/** Every file below `root` (or `root` itself), as far as this user may list folders. */
function* filesBelow(root: string, budget: { left: number }): Generator<string | { denied: string }> {
  let info;
  try {
    info = statSync(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    yield { denied: root };
    return;
  }
  if (!info.isDirectory()) {
    if (budget.left-- > 0) yield root;
    return;
  }
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    yield { denied: root };
    return;
  }
  for (const entry of entries) yield* filesBelow(join(root, entry), budget);
}

function tryFiles(): void {
  const budget = { left: MAX_FILES };
  for (const root of list('PROBE_FILES'))
    for (const found of filesBelow(root, budget)) {
      if (typeof found !== 'string') {
        report({ kind: 'file', target: found.denied, outcome: 'denied', detail: 'cannot list or open' });
        continue;
      }
      try {
        const text = readFileSync(found);
        report({ kind: 'file', target: found, outcome: 'leaked', detail: `read ${text.length} bytes` });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        report({
          kind: 'file',
          target: found,
          outcome: code === 'ENOENT' ? 'missing' : 'denied',
          detail: code,
        });
      }
    }
}

/** One GET; resolves with the status, or the error's code when nothing answered. */
function get(url: string, headers: Record<string, string> = {}, ca?: Buffer): Promise<number | string> {
  return new Promise((resolve) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(
      url,
      { headers, timeout: TIMEOUT_MS, ...(ca ? { ca } : { rejectUnauthorized: false }) },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

function outcomeOf(status: number | string): Outcome {
  return typeof status === 'number' && status >= 200 && status < 300 ? 'leaked' : 'denied';
}

async function tryUrls(): Promise<void> {
  for (const [name, url] of pairs('PROBE_URLS')) {
    const status = await get(url);
    report({ kind: 'url', target: `${name} ${url}`, outcome: outcomeOf(status), detail: String(status) });
  }
}

async function tryApiserver(): Promise<void> {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  let token: string;
  let ca: Buffer;
  try {
    token = readFileSync(join(TOKEN_DIR, 'token'), 'utf8').trim();
    ca = readFileSync(join(TOKEN_DIR, 'ca.crt'));
  } catch (e) {
    report({ kind: 'api', target: TOKEN_DIR, outcome: 'missing', detail: (e as Error).message });
    return;
  }
  if (!host || !port) {
    report({ kind: 'api', target: 'KUBERNETES_SERVICE_HOST', outcome: 'missing', detail: 'not set' });
    return;
  }
  const base = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const paths = [
    ...list('PROBE_FOREIGN_NAMESPACES').map((ns) => `/api/v1/namespaces/${ns}/pods`),
    '/api/v1/pods',
    '/api/v1/nodes',
  ];
  for (const path of paths) {
    const status = await get(base + path, { authorization: `Bearer ${token}` }, ca);
    report({ kind: 'api', target: `GET ${path}`, outcome: outcomeOf(status), detail: String(status) });
  }
}

const PEER_CONCURRENCY = 8;
const PEER_REQUEST = (host: string) => `GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`;

/** One peer: `leaked` with the first line of its answer, or `denied` with why nothing came back. */
function tryPeer(address: string): Promise<{ outcome: Outcome; detail: string }> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  return new Promise((resolve) => {
    let connected = false;
    let answer = Buffer.alloc(0);
    const socket = connect({ host, port });
    const finish = (outcome: Outcome, detail: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, detail });
    };
    // One deadline for the whole attempt (not an idle timeout): connecting and the answer both.
    const timer = setTimeout(
      () =>
        finish(
          'denied',
          connected ? `no answer within ${TIMEOUT_MS} ms` : `no connection within ${TIMEOUT_MS} ms`,
        ),
      TIMEOUT_MS,
    );
    socket.once('connect', () => {
      connected = true;
      socket.write(PEER_REQUEST(host.includes(':') ? `[${host}]` : host));
    });
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      const nl = answer.indexOf('\n');
      if (nl >= 0 || answer.length >= 200) finish('leaked', firstLine(answer));
    });
    socket.once('end', () => {
      if (answer.length > 0) finish('leaked', firstLine(answer));
      else finish('denied', 'closed without an answer');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (answer.length > 0) finish('leaked', firstLine(answer));
      else if (e.code === 'ECONNREFUSED') finish('denied', 'refused (ECONNREFUSED)');
      else if (e.code === 'ECONNRESET' || e.code === 'EPIPE')
        finish('denied', connected ? `reset after connecting (${e.code})` : `reset (${e.code})`);
      else finish('denied', e.code ?? e.message);
    });
  });
}

function firstLine(answer: Buffer): string {
  const text = answer.toString('latin1');
  const line = text.split(/\r?\n/)[0]!.slice(0, 120);
  return line.length > 0 ? line : `${answer.length} bytes`;
}

async function tryPeers(): Promise<void> {
  const peers = pairs('PROBE_PEERS');
  const results: { outcome: Outcome; detail: string }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < peers.length) {
      const i = next++;
      results[i] = await tryPeer(peers[i]![1]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PEER_CONCURRENCY, peers.length) }, worker));
  peers.forEach(([name, address], i) =>
    report({ kind: 'peer', target: `${name} ${address}`, ...results[i]! }),
  );
}

tryFiles();
await tryUrls();
await tryApiserver();
await tryPeers();
