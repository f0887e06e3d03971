import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { readK6Run } from './k6/k6-result.js';
import { progressLine, summaryTable } from './load-report.js';

const DEGRADED = fileURLToPath(new URL('./testdata/k6/degraded-run/', import.meta.url));

describe('load report', () => {
  it('prints a summary table: counts, rate, failures by kind, percentiles, thresholds', async () => {
    const result = await readK6Run(`${DEGRADED}samples.ndjson`, `${DEGRADED}summary.json`);
    const table = summaryTable(result);
    expect(table.slice(0, 7)).to.deep.equal([
      'driver      k6',
      `duration    ${result.summary.durationSeconds.toFixed(1)} s`,
      'requests    601 sent, 100.1/s',
      'ok          225',
      'failed      376 (refused 351, http 25)',
      'dropped     0',
      'status      none ×351, 200 ×225, 503 ×25',
    ]);
    expect(table[7]).to.match(/^latency {5}p50 0\.00 ms {2}p90 0\.61 ms {2}p99 \d\.\d\d ms {2}max 14\.3 ms/);
    expect(table.slice(8)).to.deep.equal([
      'threshold   http_req_duration p(99)<200: held',
      'threshold   http_req_failed rate<0.01: CROSSED',
    ]);
  });

  it('prints a progress line', () => {
    expect(
      progressLine({
        elapsedSeconds: 12.2,
        count: 2400,
        ok: 2390,
        failed: 10,
        dropped: 1,
        lastSecondRate: 200,
        failuresByKind: { refused: 7, reset: 0, timeout: 3, http: 0, dns: 0, tls: 0, other: 0 },
        p99Ms: 3.14159,
      }),
    ).to.equal(
      '  12 s  sent 2400 (200/s)  ok 2390  failed 10 (refused 7, timeout 3)  dropped 1  p99 3.14 ms',
    );
  });
});
