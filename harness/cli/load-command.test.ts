import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Service } from '../../orchestrator/api/types.js';
import { loadCommand, type ClusterConnector } from './load-command.js';
import type { LoadSample } from '../load/load-sample.js';

/** Runs `crucible load …` in this process, capturing what it prints. */
async function crucibleLoad(args: string[], connect?: ClusterConnector) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  try {
    await loadCommand(connect).exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

describe('crucible load (the command, in harness/cli/load-command.ts)', function () {
  this.timeout(20_000);
  let server: Server;
  let port: number;
  let dir: string;

  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"pod":"web-7c9f"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'crucible-load-cmd-'));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a URL, prints progress once a second and a summary table, writes samples and JSON', async () => {
    const { stdout, stderr } = await crucibleLoad([
      '--target',
      `http://127.0.0.1:${port}`,
      '--rate',
      '40',
      '--duration',
      '1500ms',
      '--driver',
      'builtin',
      '--samples',
      join(dir, 'samples.ndjson'),
      '--json',
      join(dir, 'result.json'),
    ]);
    expect(stderr).to.match(/^load: builtin driver, 40\/s for 1\.5 s → http:\/\/127\.0\.0\.1:\d+\n/);
    expect(stderr).to.match(/\n {3}1 s {2}sent \d+ \(\d+\/s\) {2}ok \d+ {2}failed 0 {2}dropped 0 {2}p99 /);
    expect(stdout)
      .to.contain('requests    60 sent')
      .and.contain('failed      0\n')
      .and.contain('latency     p50 ');
    const samples = (await readFile(join(dir, 'samples.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LoadSample);
    expect(samples).to.have.length(60);
    expect(samples[0]).to.include({ pod: 'web-7c9f', node: `127.0.0.1:${port}`, outcome: 'ok' });
    const json = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(json.result.summary.count).to.equal(60);
    expect(json.result.buckets).to.have.length(2);
  });

  it('reaches a Service through its workers when a cluster is wired, and explains when none is', async () => {
    const missing = await crucibleLoad(['--target', 'shop/web', '--rate', '10']).catch((e: unknown) => e);
    expect(missing)
      .to.be.instanceOf(Error)
      .with.property('message', 'ns/svc targets need --cluster (wired by the runner)');

    const web: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { type: 'NodePort', ports: [{ port: 80, nodePort: port }] },
    };
    const connect: ClusterConnector = async (name) => {
      expect(name).to.equal('dev');
      return {
        client: { get: async () => web } as unknown as Awaited<ReturnType<ClusterConnector>>['client'],
        workers: [{ name: 'worker-1', ip: '127.0.0.1' }],
      };
    };
    await crucibleLoad(
      [
        '--target',
        'shop/web:80',
        '--cluster',
        'dev',
        '--rate',
        '20',
        '--duration',
        '250ms',
        '--driver',
        'builtin',
        '--samples',
        join(dir, 'svc.ndjson'),
      ],
      connect,
    );
    const samples = (await readFile(join(dir, 'svc.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LoadSample);
    expect(samples.map((s) => s.node)).to.deep.equal([
      'worker-1',
      'worker-1',
      'worker-1',
      'worker-1',
      'worker-1',
    ]);
  });

  it('lists every problem with the flags at once', async () => {
    const error = await crucibleLoad([
      '--target',
      'http://127.0.0.1:1',
      '--rate',
      'fast',
      '--duration',
      'forever',
      '--expect',
      '200,ok',
    ]).catch((e: unknown) => e);
    expect((error as Error).message).to.equal(
      [
        'invalid load spec:',
        '  rate: Invalid input: expected number, received string',
        '  duration: "forever" is not a duration: use e.g. 500ms, 10s, 2m, 1m30s',
        '  requests[0].expectStatus: Invalid input',
      ].join('\n'),
    );
  });
});
