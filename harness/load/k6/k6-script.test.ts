import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseLoadSpec } from '../load-spec.js';
import { formatDuration, k6Options, renderK6Script } from './k6-script.js';

const SNAPSHOT = new URL('../testdata/k6-constant-rate.script.snap', import.meta.url);

const constantSpec = () =>
  parseLoadSpec({
    target: 'shop/web:80',
    rate: 200,
    duration: '30s',
    timeout: '2s',
    maxInFlight: 300,
    tags: { experiment: 'node-loss', team: 'sre' },
    thresholds: {
      http_req_failed: ['rate<0.01'],
      'http_req_duration{expected_response:true}': ['p(99)<250'],
    },
    requests: [
      { path: '/', weight: 3 },
      { name: 'create order', method: 'POST', path: '/orders', body: { item: 42 }, expectStatus: [201, 409] },
    ],
  });

describe('k6 script', () => {
  it('renders a constant-rate spec exactly as the committed snapshot', async () => {
    expect(renderK6Script(constantSpec())).to.equal(await readFile(SNAPSHOT, 'utf8'));
  });

  it('renders options for constant-arrival-rate: rate, maxInFlight as maxVUs, tags, thresholds, p(99)', () => {
    expect(k6Options(constantSpec())).to.deep.include({
      scenarios: {
        crucible: {
          executor: 'constant-arrival-rate',
          rate: 200,
          duration: '30s',
          timeUnit: '1s',
          preAllocatedVUs: 20,
          maxVUs: 300,
          gracefulStop: '3s',
        },
      },
      tags: { experiment: 'node-loss', team: 'sre' },
      thresholds: {
        http_req_failed: ['rate<0.01'],
        'http_req_duration{expected_response:true}': ['p(99)<250'],
      },
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
    });
  });

  it("passes noConnectionReuse as k6's own option, and only when asked", () => {
    expect(k6Options(constantSpec())).to.not.have.property('noConnectionReuse');
    const spec = parseLoadSpec({ target: 'shop/web:80', rate: 1, duration: '1s', noConnectionReuse: true });
    expect(k6Options(spec)).to.include({ noConnectionReuse: true });
  });

  it('renders ramping-arrival-rate stages, and fractional rates in a 1000 s time unit', () => {
    const ramping = parseLoadSpec({
      target: 'http://127.0.0.1:8080',
      startRate: 0.5,
      stages: [
        { duration: '1m', target: 50 },
        { duration: '90s', target: 0 },
      ],
    });
    expect(k6Options(ramping)).to.deep.equal({
      scenarios: {
        crucible: {
          executor: 'ramping-arrival-rate',
          startRate: 500,
          stages: [
            { duration: '1m', target: 50_000 },
            { duration: '90s', target: 0 },
          ],
          timeUnit: '1000s',
          preAllocatedVUs: 5,
          maxVUs: 1000,
          gracefulStop: '11s',
        },
      },
      systemTags: [
        'proto',
        'subproto',
        'status',
        'method',
        'url',
        'name',
        'group',
        'check',
        'error',
        'error_code',
        'tls_version',
        'scenario',
        'service',
        'expected_response',
        'vu',
        'iter',
      ],
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
    });
  });

  it('is valid JavaScript (module syntax)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-k6-script-'));
    try {
      await writeFile(join(dir, 'script.mjs'), renderK6Script(constantSpec()));
      await promisify(execFile)(process.execPath, ['--check', join(dir, 'script.mjs')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes durations as k6 does', () => {
    expect([120_000, 90_000, 10_000, 1500, 250].map(formatDuration)).to.deep.equal([
      '2m',
      '90s',
      '10s',
      '1500ms',
      '250ms',
    ]);
  });
});
