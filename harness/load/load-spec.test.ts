import { expect } from 'chai';
import { LoadError } from './load-error.js';
import { parseLoadSpec, peakRate, plannedDurationMs } from './load-spec.js';

describe('load spec', () => {
  it('defaults a constant-rate spec: one GET /, 10 s timeout, 1000 in flight, auto driver; frozen', () => {
    const spec = parseLoadSpec({ target: 'http://127.0.0.1:8080', rate: 200, duration: '10s' });
    expect(spec.target).to.deep.equal({ kind: 'urls', urls: ['http://127.0.0.1:8080'] });
    expect(spec.arrival).to.deep.equal({ kind: 'constant', rate: 200, durationMs: 10_000 });
    expect(spec.requests).to.deep.equal([
      { name: 'GET /', method: 'GET', path: '/', headers: {}, weight: 1 },
    ]);
    expect(spec.timeoutMs).to.equal(10_000);
    expect(spec.maxInFlight).to.equal(1000);
    expect(spec.driver).to.equal('auto');
    expect(Object.isFrozen(spec.requests[0])).to.equal(true);
  });

  it('reads ramping stages like k6 ramping-arrival-rate, durations in ms, 2m and 500ms alike', () => {
    const spec = parseLoadSpec({
      target: ['http://127.0.0.1:1', 'http://127.0.0.1:2'],
      startRate: 10,
      stages: [
        { duration: '500ms', target: 100 },
        { duration: '2m', target: 100 },
        { duration: '1m30s', target: 0 },
      ],
    });
    expect(spec.target).to.deep.equal({ kind: 'urls', urls: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] });
    expect(spec.arrival).to.deep.equal({
      kind: 'ramping',
      startRate: 10,
      stages: [
        { durationMs: 500, target: 100 },
        { durationMs: 120_000, target: 100 },
        { durationMs: 90_000, target: 0 },
      ],
    });
    expect(plannedDurationMs(spec.arrival)).to.equal(210_500);
    expect(peakRate(spec.arrival)).to.equal(100);
  });

  it('reads a Service target as namespace/name[:port] or as an object naming workers', () => {
    expect(parseLoadSpec({ target: 'shop/web:80', rate: 1, duration: '1s' }).target).to.deep.equal({
      kind: 'service',
      namespace: 'shop',
      name: 'web',
      port: 80,
    });
    expect(parseLoadSpec({ target: 'shop/web:http', rate: 1, duration: '1s' }).target).to.deep.equal({
      kind: 'service',
      namespace: 'shop',
      name: 'web',
      port: 'http',
    });
    const spec = parseLoadSpec({
      target: { service: 'shop/web', workers: ['worker-1', 'worker-3'] },
      rate: 1,
      duration: '1s',
    });
    expect(spec.target).to.deep.equal({
      kind: 'service',
      namespace: 'shop',
      name: 'web',
      workers: ['worker-1', 'worker-3'],
    });
  });

  it('reads a request mix: JSON bodies get a content type, expected statuses become a list, names default', () => {
    const spec = parseLoadSpec({
      target: 'http://127.0.0.1:8080/api',
      rate: 10,
      duration: '1s',
      requests: [
        { method: 'POST', path: '/orders', body: { item: 1 }, expectStatus: 201, weight: 3 },
        { name: 'health', path: '/healthz', expectStatus: [200, 204] },
      ],
    });
    expect(spec.requests).to.deep.equal([
      {
        name: 'POST /orders',
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json' },
        body: '{"item":1}',
        expectStatus: [201],
        weight: 3,
      },
      { name: 'health', method: 'GET', path: '/healthz', headers: {}, expectStatus: [200, 204], weight: 1 },
    ]);
  });

  it('reports every problem at once, unknown fields included', () => {
    let error: unknown;
    try {
      parseLoadSpec({
        target: 'ftp://example',
        rate: -1,
        duration: '10 parsecs',
        stages: [{ duration: '1s', target: 5 }],
        requests: [{ method: 'FETCH', path: 'no-slash' }],
        timeout: '0s',
        colour: 'blue',
      });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(LoadError);
    const e = error as LoadError;
    expect(e.code).to.equal('InvalidLoadSpec');
    const text = e.problems.join('\n');
    for (const expected of [
      'colour: unknown field',
      'target.url: must be an http:// or https:// URL',
      'rate: Too small',
      'duration: "10 parsecs" is not a duration',
      'requests[0].method:',
      'requests[0].path: must start with "/"',
      'timeout: must be longer than 0',
      'rate: give either rate and duration, or stages',
    ])
      expect(text).to.contain(expected);
    expect(e.message).to.contain('invalid load spec:\n  ');
  });

  it('needs a rate and a duration, or stages', () => {
    expect(() => parseLoadSpec({ target: 'http://127.0.0.1:1' }))
      .to.throw(LoadError)
      .with.property('problems')
      .that.deep.equals(['rate: required (or stages)', 'duration: required with rate']);
  });

  it('rejects a target that is both a URL and a Service, and ports or workers on URLs', () => {
    expect(() =>
      parseLoadSpec({ target: { url: 'http://127.0.0.1:1', service: 'a/b' }, rate: 1, duration: '1s' }),
    ).to.throw(/target: give exactly one of url, urls or service/);
    expect(() =>
      parseLoadSpec({
        target: { url: 'http://127.0.0.1:1', workers: ['worker-1'] },
        rate: 1,
        duration: '1s',
      }),
    ).to.throw(/target.workers: only for a service target/);
  });
});
