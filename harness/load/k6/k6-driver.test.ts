import { expect } from 'chai';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadError } from '../load-error.js';
import type { LoadProgress } from '../load-summary.js';
import { parseLoadSpec } from '../load-spec.js';
import { K6Driver } from './k6-driver.js';
import { k6Arguments } from './k6-process.js';
import { readK6Run } from './k6-result.js';
import { findK6, requireK6 } from './k6-runtime.js';
import { renderK6Script } from './k6-script.js';

/** Real k6 1.3 runs: ../testdata/k6/README.md. */
const FIXTURES = fileURLToPath(new URL('../testdata/k6/', import.meta.url));
const DEGRADED = join(FIXTURES, 'degraded-run');
const noImage = async () => undefined;

/**
 * A stand-in for k6 (k6 cannot be installed here): records its command line, then writes a real
 * k6 run's samples and summary export where the command line asks, as k6 would.
 */
async function fakeK6(
  dir: string,
  opts: { exitCode?: number; slow?: boolean; say?: string } = {},
): Promise<string> {
  const path = join(dir, 'k6');
  const samples = join(DEGRADED, 'samples.ndjson');
  await writeFile(
    path,
    [
      '#!/bin/sh',
      `printf '%s\\n' "$@" > '${join(dir, 'args.txt')}'`,
      'prev=',
      'for a in "$@"; do',
      '  case "$prev" in',
      '    --out) out="${a#json=}" ;;',
      '    --summary-export) summary="$a" ;;',
      '  esac',
      '  prev="$a"',
      'done',
      opts.slow
        ? `head -n 4000 '${samples}' > "$out"; sleep 1.3; tail -n +4001 '${samples}' >> "$out"`
        : `cp '${samples}' "$out"`,
      `cp '${join(DEGRADED, 'summary.json')}' "$summary"`,
      opts.say ? `echo '${opts.say}' >&2` : '',
      `exit ${opts.exitCode ?? 99}`,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return path;
}

const spec = () =>
  parseLoadSpec({ target: 'http://127.0.0.1:18181', rate: 100, duration: '6s', timeout: '2s' });
const targets = [{ url: 'http://127.0.0.1:18181', node: '127.0.0.1:18181' }];

describe('k6 driver', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-k6-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('finding k6', () => {
    it('takes K6_BIN first, then k6 on PATH, then a local grafana/k6 image', async () => {
      const bin = await fakeK6(dir);
      await mkdir(join(dir, 'other'));
      const other = await fakeK6(join(dir, 'other'));
      expect(await findK6({ env: { K6_BIN: other, PATH: dir }, findImage: noImage })).to.deep.equal({
        kind: 'binary',
        path: other,
      });
      expect(await findK6({ env: { PATH: `/nonexistent:${dir}` }, findImage: noImage })).to.deep.equal({
        kind: 'binary',
        path: bin,
      });
      expect(
        await findK6({ env: { PATH: '/nonexistent' }, findImage: async () => 'grafana/k6:1.3.0' }),
      ).to.deep.equal({
        kind: 'image',
        image: 'grafana/k6:1.3.0',
      });
    });

    it('says where it looked when there is no k6, and rejects a K6_BIN that is not executable', async () => {
      expect(await findK6({ env: { PATH: dir }, findImage: noImage })).to.equal(undefined);
      const missing = await requireK6({ env: { PATH: dir }, findImage: noImage }).catch((e: unknown) => e);
      expect(missing).to.be.instanceOf(LoadError).with.property('code', 'K6NotFound');
      expect((missing as Error).message).to.match(/K6_BIN.*PATH.*grafana\/k6.*never pulls/);
      await writeFile(join(dir, 'not-a-binary'), 'text');
      const bad = await findK6({ env: { K6_BIN: join(dir, 'not-a-binary') }, findImage: noImage }).catch(
        (e: unknown) => e,
      );
      expect(bad)
        .to.be.instanceOf(LoadError)
        .with.property('message')
        .that.matches(/K6_BIN=.*not an executable/);
    });
  });

  it('builds the command line: quiet, NDJSON samples and summary export in the work folder, env, script', () => {
    const invocation = {
      workDir: '/tmp/w',
      script: '/tmp/w/crucible-load.js',
      env: { TARGET: 'http://a:1' },
    };
    expect(k6Arguments(invocation)).to.deep.equal([
      'run',
      '--quiet',
      '--no-color',
      '--no-usage-report',
      '--out',
      'json=/tmp/w/samples.ndjson',
      '--summary-export',
      '/tmp/w/summary.json',
      '--env',
      'TARGET=http://a:1',
      '/tmp/w/crucible-load.js',
    ]);
    // In a container the work folder is mounted at /crucible.
    expect(k6Arguments(invocation, '/crucible').slice(-6)).to.deep.equal([
      'json=/crucible/samples.ndjson',
      '--summary-export',
      '/crucible/summary.json',
      '--env',
      'TARGET=http://a:1',
      '/crucible/crucible-load.js',
    ]);
  });

  it('runs k6 with the rendered script and the targets in its environment, and reads what it wrote', async () => {
    const bin = await fakeK6(dir, { exitCode: 99 });
    const work = join(dir, 'work');
    await mkdir(work);
    const driver = new K6Driver(spec(), targets, { runtime: { kind: 'binary', path: bin }, workDir: work });
    let samples = 0;
    const result = await driver.run({ onSample: () => samples++ });

    expect((await readFile(join(dir, 'args.txt'), 'utf8')).split('\n').slice(0, -1)).to.deep.equal([
      'run',
      '--quiet',
      '--no-color',
      '--no-usage-report',
      '--out',
      `json=${work}/samples.ndjson`,
      '--summary-export',
      `${work}/summary.json`,
      '--env',
      'TARGET=http://127.0.0.1:18181',
      '--env',
      'CRUCIBLE_TARGETS=[{"url":"http://127.0.0.1:18181","node":"127.0.0.1:18181"}]',
      '--env',
      'RATE=100',
      `${work}/crucible-load.js`,
    ]);
    expect(await readFile(join(work, 'crucible-load.js'), 'utf8')).to.equal(renderK6Script(spec()));
    // Exit code 99 (a threshold crossed) is a completed run; the result is the fixture's.
    const expected = await readK6Run(join(DEGRADED, 'samples.ndjson'), join(DEGRADED, 'summary.json'));
    expect(result).to.deep.equal(expected);
    expect(samples).to.equal(601);
    expect(result.thresholds.find((t) => t.metric === 'http_req_failed')?.crossed).to.equal(true);
  });

  it('follows the samples while k6 runs, for the progress line', async () => {
    const bin = await fakeK6(dir, { slow: true, exitCode: 0 });
    const progress: LoadProgress[] = [];
    const result = await new K6Driver(spec(), targets, { runtime: { kind: 'binary', path: bin } }).run({
      onProgress: (p) => progress.push(p),
    });
    expect(progress.length).to.be.at.least(1);
    expect(progress[0]!.count).to.be.within(1, 600);
    expect(result.summary.count).to.equal(601);
  });

  it("runs a user's own script in place, with the target as __ENV.TARGET", async () => {
    const bin = await fakeK6(dir, { exitCode: 0 });
    const script = join(dir, 'mine.js');
    await writeFile(script, '// the user script\n');
    const own = parseLoadSpec({ target: 'http://127.0.0.1:18181', rate: 1, duration: '1s', script });
    await new K6Driver(own, targets, { runtime: { kind: 'binary', path: bin } }).run();
    const args = (await readFile(join(dir, 'args.txt'), 'utf8')).split('\n');
    expect(args).to.include('TARGET=http://127.0.0.1:18181');
    expect(args.at(-2)).to.equal(script);
  });

  it('fails with K6Failed and the end of what k6 said when k6 does not complete', async () => {
    const bin = await fakeK6(dir, { exitCode: 107, say: 'ERRO[0000] ReferenceError: oops is not defined' });
    const error = await new K6Driver(spec(), targets, { runtime: { kind: 'binary', path: bin } })
      .run()
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(LoadError).with.property('code', 'K6Failed');
    expect((error as Error).message)
      .to.contain('k6 exited with code 107')
      .and.contain('oops is not defined');
  });
});
