import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { LocalProcess, startLocalControlPlane } from '../cluster/index.js';
import { percentile } from './percentile.js';

export interface ApiLatencyOptions {
  /** Concurrent clients. */
  clients: number;
  /** Objects created (and then read, updated, patched, deleted) per run. */
  objects: number;
  namespaces: number;
  progress: (line: string) => void;
}

export interface VerbLatency {
  verb: string;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ApiLatencyResult {
  clients: number;
  verbs: VerbLatency[];
  /** GET /version through the same server: HTTP, authentication and routing without etcd. */
  floor: VerbLatency;
}

/**
 * API latency per verb under concurrent clients, against a real apiserver process over a real
 * etcd, with token authentication and RBAC on. Requests run through `clients` keep-alive
 * connections, each client issuing its next request when the previous one answers.
 */
export async function benchApiLatency(opts: ApiLatencyOptions): Promise<ApiLatencyResult> {
  const dir = await mkdtemp(join(tmpdir(), 'crucible-bench-api-'));
  const processes: LocalProcess[] = [];
  try {
    const token = randomBytes(16).toString('hex');
    await writeFile(join(dir, 'tokens.csv'), `${token},bench,uid-bench,"system:masters"\n`);
    const cp = await startLocalControlPlane({ dir, tokenFile: join(dir, 'tokens.csv'), processes });
    opts.progress(`control plane up at ${cp.apiserverUrl}`);
    const pool = new Pool(cp.apiserverUrl, {
      connections: opts.clients,
      pipelining: 1,
      connect: { ca: cp.caPem },
    });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const call = async (
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      path: string,
      body?: unknown,
      type?: string,
    ) => {
      const started = performance.now();
      const res = await pool.request({
        method,
        path,
        headers: type ? { ...headers, 'content-type': type } : headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      return { ms: performance.now() - started, status: res.statusCode, text };
    };

    const nsNames = Array.from({ length: opts.namespaces }, (_, i) => `bench-${i}`);
    for (const ns of nsNames)
      await call('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
    const items = Array.from({ length: opts.objects }, (_, i) => ({
      ns: nsNames[i % nsNames.length]!,
      name: `cm-${i}`,
    }));
    const path = (it: { ns: string; name: string }) => `/api/v1/namespaces/${it.ns}/configmaps/${it.name}`;
    const versions = new Map<string, string>();

    const run = async (
      verb: string,
      count: number,
      one: (i: number) => Promise<{ ms: number; status: number; text: string }>,
      ok: (s: number) => boolean,
    ) => {
      const samples: number[] = [];
      let errors = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: opts.clients }, async () => {
          for (let i = next++; i < count; i = next++) {
            const r = await one(i);
            samples.push(r.ms);
            if (!ok(r.status)) errors++;
          }
        }),
      );
      const result = summarize(verb, samples, errors);
      opts.progress(
        `${verb.padEnd(8)} ${String(result.requests).padStart(6)} requests  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms`,
      );
      return result;
    };

    const floor = await run(
      'version',
      opts.objects,
      () => call('GET', '/version'),
      (s) => s === 200,
    );
    const verbs: VerbLatency[] = [];
    verbs.push(
      await run(
        'create',
        items.length,
        async (i) => {
          const it = items[i]!;
          const r = await call('POST', `/api/v1/namespaces/${it.ns}/configmaps`, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: it.name },
            data: { n: String(i) },
          });
          if (r.status === 201) versions.set(it.name, JSON.parse(r.text).metadata.resourceVersion);
          return r;
        },
        (s) => s === 201,
      ),
    );
    verbs.push(
      await run(
        'get',
        items.length,
        (i) => call('GET', path(items[i]!)),
        (s) => s === 200,
      ),
    );
    verbs.push(
      await run(
        'list',
        items.length / 10,
        (i) => call('GET', `/api/v1/namespaces/${nsNames[i % nsNames.length]}/configmaps?limit=50`),
        (s) => s === 200,
      ),
    );
    verbs.push(
      await run(
        'update',
        items.length,
        (i) => {
          const it = items[i]!;
          return call('PUT', path(it), {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: it.name, namespace: it.ns, resourceVersion: versions.get(it.name) },
            data: { n: `u${i}` },
          });
        },
        (s) => s === 200,
      ),
    );
    verbs.push(
      await run(
        'patch',
        items.length,
        (i) => call('PATCH', path(items[i]!), { data: { p: String(i) } }, 'application/merge-patch+json'),
        (s) => s === 200,
      ),
    );
    verbs.push(
      await run(
        'delete',
        items.length,
        (i) => call('DELETE', path(items[i]!)),
        (s) => s === 200,
      ),
    );
    await pool.close();
    return { clients: opts.clients, verbs, floor };
  } finally {
    for (const p of processes.reverse()) await p.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function summarize(verb: string, samples: number[], errors: number): VerbLatency {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    verb,
    requests: samples.length,
    errors,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}
