import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { LoadSample } from '../load-sample.js';
import { k6ErrorKind } from './k6-error-code.js';
import { K6OutputParser, parseTime } from './k6-output-parser.js';
import { readK6Run } from './k6-result.js';
import { parseK6SummaryExport } from './k6-summary-export.js';

/** Real k6 1.3 output: ../testdata/k6/README.md. */
const FIXTURES = fileURLToPath(new URL('../testdata/k6/', import.meta.url));
const fixture = (run: string, file: string) => `${FIXTURES}${run}/${file}`;

async function readRun(run: string) {
  const samples: LoadSample[] = [];
  const result = await readK6Run(fixture(run, 'samples.ndjson'), fixture(run, 'summary.json'), (s) =>
    samples.push(s),
  );
  const exported = parseK6SummaryExport(await readFile(fixture(run, 'summary.json'), 'utf8'));
  return { result, samples, exported };
}

/** HDR keeps 3 significant digits, and samples are recorded in whole microseconds. */
function closeToK6(actual: number, k6: number): void {
  expect(actual).to.be.closeTo(k6, k6 * 0.001 + 0.001);
}

describe('k6 output (real k6 1.3 runs)', () => {
  it('reads a healthy run: 251 requests, none failed, percentiles as k6 computed them', async () => {
    const { result, samples, exported } = await readRun('healthy-run');
    const s = result.summary;
    expect(s.driver).to.equal('k6');
    expect(s.count).to.equal(251);
    expect(samples).to.have.length(251);
    expect(s.ok).to.equal(251);
    expect(s.failed).to.equal(0);
    expect(s.dropped).to.equal(0);
    expect(s.byStatus).to.deep.equal({ '200': 251 });
    expect(s.rate).to.be.closeTo(50.186, 0.001);
    closeToK6(s.latencyMs.p50, exported.durationMs.med); // 0.62786
    closeToK6(s.latencyMs.p90, exported.durationMs.p90); // 0.91252
    closeToK6(s.latencyMs.max, exported.durationMs.max); // 5.493821
    closeToK6(s.latencyMs.min, exported.durationMs.min);
    closeToK6(s.latencyMs.mean, exported.durationMs.avg);
    expect(result.thresholds).to.deep.equal([
      { metric: 'http_req_duration', expression: 'p(95)<500', crossed: false },
      { metric: 'http_req_failed', expression: 'rate<0.01', crossed: false },
    ]);
    expect(result.warnings).to.deep.equal([]);
    expect(result.buckets.reduce((n, b) => n + b.count, 0)).to.equal(251);
    // 50/s: each full second holds 50, give or take one on the edge (starts are estimated).
    for (const b of result.buckets.slice(0, 5)) expect(b.count).to.be.within(49, 51);
  });

  it('reads a degraded run: 503s as http failures (1503), refused connections (1212), the failure rate', async () => {
    const { result, samples, exported } = await readRun('degraded-run');
    const s = result.summary;
    expect(s.count).to.equal(601);
    expect(s.failed).to.equal(376);
    expect(s.ok).to.equal(225);
    expect(s.failed / s.count).to.equal(exported.failedRate); // 0.6256…
    expect(s.failuresByKind).to.deep.equal({
      refused: 351,
      reset: 0,
      timeout: 0,
      http: 25,
      dns: 0,
      tls: 0,
      other: 0,
    });
    expect(s.byStatus).to.deep.equal({ '0': 351, '200': 225, '503': 25 });
    closeToK6(s.latencyMs.p50, exported.durationMs.med); // 0: most requests were refused at once
    closeToK6(s.latencyMs.p90, exported.durationMs.p90);
    closeToK6(s.latencyMs.max, exported.durationMs.max);

    const refused = samples.find((x) => x.errorCode === '1212')!;
    expect(refused).to.include({ outcome: 'failed', status: 0, error: 'refused', latencyMs: 0 });
    const unavailable = samples.find((x) => x.errorCode === '1503')!;
    expect(unavailable).to.include({
      outcome: 'failed',
      status: 503,
      error: 'http',
      node: '127.0.0.1:18181',
    });
    expect(unavailable.request).to.equal('GET /');
    // k6 stamps the end: the request started its duration earlier.
    expect(unavailable.intendedStartMs + unavailable.latencyMs).to.be.closeTo(
      parseTime('2026-11-24T02:24:21.353581951Z'),
      1e-3,
    );

    // The target answered for its first 3 s (every tenth request 503), then refused everything.
    const b = result.buckets;
    expect(b.reduce((n, x) => n + x.count, 0)).to.equal(601);
    expect(b[0]!.failuresByKind).to.include({ refused: 0, http: 10 });
    expect(b[1]!.failuresByKind).to.include({ refused: 0, http: 10 });
    expect(b.slice(-3).every((x) => x.failed === x.count && x.failuresByKind.refused === x.count)).to.equal(
      true,
    );

    expect(result.thresholds).to.deep.equal([
      { metric: 'http_req_duration', expression: 'p(99)<200', crossed: false },
      { metric: 'http_req_failed', expression: 'rate<0.01', crossed: true },
    ]);
    expect(result.warnings).to.deep.equal([]);
  });

  it("reads http_req_failed's inverted counts: passes are the failed requests, fails the good ones", async () => {
    const degraded = parseK6SummaryExport(await readFile(fixture('degraded-run', 'summary.json'), 'utf8'));
    expect(degraded).to.deep.include({ requests: 601, failed: 376, ok: 225, dropped: 0 });
    const healthy = parseK6SummaryExport(await readFile(fixture('healthy-run', 'summary.json'), 'utf8'));
    expect(healthy).to.deep.include({ requests: 251, failed: 0, ok: 251 });
    expect(healthy.durationMs.p99).to.equal(undefined);
  });

  it('maps k6 error codes to failure kinds', () => {
    expect(
      [1212, 1211, 1050, 1220, 1201, 1503, 1404, 1101, 1310, 1000, 1210, 1650].map(k6ErrorKind),
    ).to.deep.equal([
      'refused',
      'timeout',
      'timeout',
      'reset',
      'reset',
      'http',
      'http',
      'dns',
      'tls',
      'other',
      'other',
      'other',
    ]);
  });

  it('joins the pod an iteration recorded to its request by vu and iter, and counts dropped iterations', () => {
    const tags = (status: string, extra: Record<string, string> = {}) => ({
      crucible_node: 'worker-2',
      crucible_request: 'GET /',
      expected_response: status === '200' ? 'true' : 'false',
      method: 'GET',
      name: 'http://127.0.1.2:30080/',
      scenario: 'crucible',
      status,
      url: 'http://127.0.1.2:30080/',
      ...extra,
    });
    const point = (metric: string, time: string, value: number, t: object, metadata?: object) =>
      JSON.stringify({
        metric,
        type: 'Point',
        data: { time, value, tags: t, ...(metadata ? { metadata } : {}) },
      });
    const lines = [
      '{"type":"Metric","data":{"name":"http_reqs","type":"counter"},"metric":"http_reqs"}',
      point('http_reqs', '2026-01-01T00:00:01.000500000Z', 1, tags('200'), { vu: '1', iter: '0' }),
      point('http_req_duration', '2026-01-01T00:00:01.000500000Z', 0.5, tags('200'), { vu: '1', iter: '0' }),
      // The same request's points, with the tags in another order.
      point(
        'http_req_failed',
        '2026-01-01T00:00:01.000500000Z',
        0,
        { ...tags('200') },
        { vu: '1', iter: '0' },
      ),
      point(
        'crucible_pod',
        '2026-01-01T00:00:01.000600000Z',
        1,
        { pod: 'web-1', scenario: 'crucible' },
        { vu: '1', iter: '0' },
      ),
      point(
        'iterations',
        '2026-01-01T00:00:01.000700000Z',
        1,
        { scenario: 'crucible' },
        { vu: '1', iter: '0' },
      ),
      point('dropped_iterations', '2026-01-01T00:00:01.010000000Z', 1, { scenario: 'crucible' }),
      point('http_reqs', '2026-01-01T00:00:01.030000000Z', 1, tags('0', { error_code: '1220' }), {
        vu: '2',
        iter: '0',
      }),
      point('http_req_duration', '2026-01-01T00:00:01.030000000Z', 2, tags('0', { error_code: '1220' }), {
        vu: '2',
        iter: '0',
      }),
      point('http_req_failed', '2026-01-01T00:00:01.030000000Z', 1, tags('0', { error_code: '1220' }), {
        vu: '2',
        iter: '0',
      }),
      '{"metric":"http_reqs","type":"Point","data":{"time":"2026-01-01T00:00:0', // cut short
    ];
    const samples: LoadSample[] = [];
    const parser = new K6OutputParser((s) => samples.push(s));
    for (const line of lines) parser.line(line);
    expect(samples).to.have.length(2); // the reset request waits for its iteration's end
    parser.end();
    expect(parser.malformedLines).to.equal(1);
    const t = Date.parse('2026-01-01T00:00:01Z');
    expect(samples).to.deep.equal([
      {
        intendedStartMs: t,
        actualStartMs: t,
        latencyMs: 0.5,
        outcome: 'ok',
        status: 200,
        request: 'GET /',
        node: 'worker-2',
        pod: 'web-1',
      },
      {
        intendedStartMs: t + 10,
        actualStartMs: t + 10,
        latencyMs: 0,
        outcome: 'dropped',
        status: 0,
        request: '',
        node: '',
      },
      {
        intendedStartMs: t + 28,
        actualStartMs: t + 28,
        latencyMs: 2,
        outcome: 'failed',
        status: 0,
        error: 'reset',
        errorCode: '1220',
        request: 'GET /',
        node: 'worker-2',
      },
    ]);
  });
});
