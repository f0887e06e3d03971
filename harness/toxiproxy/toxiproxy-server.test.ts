import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startToxiproxyServer, type RunningToxiproxyServer } from './index.js';

// One HTTP call per line, made in order against a fresh toxiproxy-server 2.12.0 (testdata/README.md).
const transcriptPath = fileURLToPath(new URL('./testdata/api-transcript.jsonl', import.meta.url));

interface TranscriptLine {
  method: string;
  path: string;
  request: unknown;
  status: number;
  response: unknown;
}

const transcript: TranscriptLine[] = readFileSync(transcriptPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as TranscriptLine);

const badBodyPrefix = 'bad request body: ';

/** Requests the transcript recorded as raw text rather than as JSON. */
function isMalformedJson(request: unknown): request is string {
  if (typeof request !== 'string') return false;
  try {
    JSON.parse(request);
    return false;
  } catch {
    return true;
  }
}

async function call(
  url: string,
  method: string,
  path: string,
  request: unknown,
  headers: Record<string, string> = {},
) {
  const body = request === null ? undefined : typeof request === 'string' ? request : JSON.stringify(request);
  const response = await fetch(url + path, { method, body, headers, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port }, () => probe.close(() => resolve(true)));
  });
}

describe('bundled toxiproxy server: the HTTP API of toxiproxy-server 2.12.0', () => {
  let server: RunningToxiproxyServer;

  beforeEach(async () => {
    server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  });

  afterEach(() => server.close());

  it('answers every call of the real server transcript with the same status and body', async () => {
    // The transcript's proxies listen on fixed ports; only port-0 listens may differ.
    const fixedPorts = new Set<number>();
    for (const line of transcript) {
      for (const proxy of [line.request].flat()) {
        const listen = (proxy as { listen?: unknown } | null)?.listen;
        const port = typeof listen === 'string' ? Number(listen.split(':').pop()) : 0;
        if (port > 0) fixedPorts.add(port);
      }
    }
    for (const port of fixedPorts)
      expect(await portIsFree(port), `port ${port} must be free for the replay`).to.equal(true);

    // Proxies created with port 0: the transcript's listen → ours.
    const chosenListens = new Map<string, string>();
    for (const [index, line] of transcript.entries()) {
      const what = `line ${index + 1}: ${line.method} ${line.path}`;
      const actual = await call(server.url, line.method, line.path, line.request);
      expect(actual.status, what).to.equal(line.status);
      if (typeof line.response === 'string') {
        expect(actual.text, what).to.equal(line.response);
        continue;
      }
      const body = JSON.parse(actual.text) as unknown;
      const request = line.request as { name?: string; listen?: string } | null;
      if (
        line.method === 'POST' &&
        line.path === '/proxies' &&
        line.status === 201 &&
        request?.listen?.endsWith(':0')
      ) {
        const created = body as { listen: string };
        const expectedListen = (line.response as { listen: string }).listen;
        expect(created.listen, what).to.match(/^127\.0\.0\.1:[1-9]\d*$/);
        chosenListens.set(expectedListen, created.listen);
      }
      let expected = substituteListens(line.response, chosenListens);
      if (isMalformedJson(line.request)) expected = allowParserWording(expected, body, what);
      expect(body, what).to.deep.equal(expected);
      // deep.equal ignores member order; the real server's order is part of the contract too.
      expect(JSON.stringify(body), what).to.equal(JSON.stringify(expected));
    }
  });

  it('writes errors as Go http.Error does (text/plain, trailing newline) and successes as bare JSON', async () => {
    const missing = await call(server.url, 'GET', '/proxies/missing', null);
    expect(missing.headers.get('content-type')).to.equal('text/plain; charset=utf-8');
    expect(missing.text).to.equal('{"error":"proxy not found","status":404}\n');
    const list = await call(server.url, 'GET', '/proxies', null);
    expect(list.headers.get('content-type')).to.equal('application/json');
    expect(list.text).to.equal('{}');
    const version = await call(server.url, 'GET', '/version', null);
    expect(version.text).to.equal('{"version": "2.12.0"}\n');
    expect(version.headers.get('x-toxiproxy-request-id')).to.match(/^[0-9a-v]{20}$/);
  });

  it('routes as gorilla/mux: 405 for a known path with another method, 301 to the clean path, 404 otherwise', async () => {
    expect((await call(server.url, 'DELETE', '/proxies', null)).status).to.equal(405);
    const redirect = await call(server.url, 'GET', '//proxies/./x/../', null);
    expect(redirect.status).to.equal(301);
    expect(redirect.headers.get('location')).to.equal('/proxies/');
    expect((await call(server.url, 'GET', '/proxies/', null)).status).to.equal(404);
  });

  it('refuses browsers, as Toxiproxy does to stop web pages from driving it', async () => {
    const answer = await call(server.url, 'GET', '/proxies', null, { 'User-Agent': 'Mozilla/5.0' });
    expect(answer.status).to.equal(403);
    expect(answer.text).to.equal('User agent not allowed\n');
  });

  it('reports JSON type errors in Go words and leaves the toxic unchanged', async () => {
    await call(server.url, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const bad = await call(server.url, 'POST', '/proxies/p/toxics', {
      type: 'latency',
      attributes: { latency: 1.5 },
    });
    expect(JSON.parse(bad.text)).to.deep.equal({
      error:
        'bad request body: json: cannot unmarshal number 1.5 into Go struct field LatencyToxic.attributes.latency of type int64',
      status: 400,
    });
    await call(server.url, 'POST', '/proxies/p/toxics', { type: 'latency', attributes: { Latency: 7 } });
    const update = await call(server.url, 'PATCH', '/proxies/p/toxics/latency_downstream', {
      toxicity: '0.5',
    });
    expect(JSON.parse(update.text).error).to.equal(
      'bad request body: json: cannot unmarshal string into Go struct field .toxicity of type float32',
    );
    const toxic = await call(server.url, 'GET', '/proxies/p/toxics/latency_downstream', null);
    expect(toxic.text).to.equal(
      '{"attributes":{"latency":7,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}',
    );
    const created = await call(server.url, 'POST', '/proxies', {
      name: 'q',
      upstream: '127.0.0.1:1',
      enabled: 'yes',
    });
    expect(JSON.parse(created.text).error).to.equal(
      'bad request body: json: cannot unmarshal string into Go struct field Proxy.enabled of type bool',
    );
  });

  it('reports a listen address in use as the real server does, with a 500', async () => {
    const taken = await call(server.url, 'POST', '/proxies', {
      name: 'a',
      listen: '127.0.0.1:0',
      upstream: '127.0.0.1:1',
    });
    const listen = (JSON.parse(taken.text) as { listen: string }).listen;
    const clash = await call(server.url, 'POST', '/proxies', { name: 'b', listen, upstream: '127.0.0.1:1' });
    expect(clash.status).to.equal(500);
    expect(JSON.parse(clash.text)).to.deep.equal({
      error: `listen tcp ${listen}: bind: address already in use`,
      status: 500,
    });
  });

  it('closes twice without complaint', async () => {
    await server.close();
    await server.close();
  });
});

/** The expected body with each listen of a port-0 proxy replaced by the one this server chose. */
function substituteListens(value: unknown, listens: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => substituteListens(v, listens));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    copy[key] =
      key === 'listen' && typeof member === 'string' && 'upstream' in value && listens.has(member)
        ? listens.get(member)
        : substituteListens(member, listens);
  }
  return copy;
}

/**
 * The fixture's second allowance: a malformed-JSON error keeps the "bad request body: " prefix,
 * the parser's words after it may differ. Returns the expected body with our wording in place.
 */
function allowParserWording(expected: unknown, actual: unknown, what: string): unknown {
  const want = expected as { error?: unknown };
  const got = actual as { error?: unknown };
  if (typeof want.error !== 'string' || !want.error.startsWith(badBodyPrefix)) return expected;
  expect(got.error, what)
    .to.be.a('string')
    .and.satisfy((e: string) => e.startsWith(badBodyPrefix));
  return { ...want, error: got.error };
}
