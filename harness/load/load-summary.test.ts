import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BuiltinDriver } from './builtin/builtin-driver.js';
import { readK6Run } from './k6/k6-result.js';
import { urlTargets } from './load-driver.js';
import { parseLoadSpec } from './load-spec.js';

const DEGRADED = fileURLToPath(new URL('./testdata/k6/degraded-run/', import.meta.url));

/** The structure of plain data: keys and value types, with byStatus's keys (data, not fields) left out. */
function shape(value: unknown, key = ''): unknown {
  if (key === 'byStatus') return 'Record<string, number>';
  if (Array.isArray(value)) return [shape(value[0])];
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k], k)]),
    );
  return typeof value;
}

describe('load summary', () => {
  it('is the same type with the same fields whichever driver produced it', async () => {
    const server = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const spec = parseLoadSpec({ target: url, rate: 50, duration: '200ms' });
      const builtin = await new BuiltinDriver(spec, urlTargets([url])).run();
      const k6 = await readK6Run(`${DEGRADED}samples.ndjson`, `${DEGRADED}summary.json`);

      expect(builtin.summary.driver).to.equal('builtin');
      expect(k6.summary.driver).to.equal('k6');
      expect(shape(builtin.summary)).to.deep.equal(shape(k6.summary));
      expect(shape(builtin.buckets)).to.deep.equal(shape(k6.buckets));
      expect(Object.keys(builtin).sort()).to.deep.equal(Object.keys(k6).sort());
      // Plain JSON data, as the history stores it.
      expect(JSON.parse(JSON.stringify(builtin))).to.deep.equal(builtin);
      expect(JSON.parse(JSON.stringify(k6))).to.deep.equal(k6);
      // Both count a 503 the same way.
      expect(builtin.summary.failuresByKind.http).to.equal(builtin.summary.count);
      expect(k6.summary.failuresByKind.http).to.equal(25);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
