import { expect } from 'chai';
import { BackendPool, backendKey, parseBackends } from './backend-pool.js';

describe('BackendPool', () => {
  const [a, b, c] = parseBackends('10.0.0.1:30080,10.0.0.2:30080,10.0.0.3:30080') as [
    { host: string; port: number },
    { host: string; port: number },
    { host: string; port: number },
  ];

  it('parses host:port lists and rejects a backend without a port', () => {
    expect(parseBackends(' 10.0.0.1:80 , ')).to.deep.equal([{ host: '10.0.0.1', port: 80 }]);
    expect(parseBackends('')).to.deep.equal([]);
    expect(() => parseBackends('10.0.0.1')).to.throw(RangeError);
  });

  it('picks healthy backends round robin', () => {
    const pool = new BackendPool([a, b, c]);
    expect([pool.pick(), pool.pick(), pool.pick(), pool.pick()].map((x) => x?.host)).to.deep.equal([
      '10.0.0.1',
      '10.0.0.2',
      '10.0.0.3',
      '10.0.0.1',
    ]);
  });

  it('stops sending to a backend whose health check failed, and resumes when it passes', () => {
    const pool = new BackendPool([a, b, c]);
    expect(pool.record(b, false)).to.equal(true);
    const picks = Array.from({ length: 6 }, () => pool.pick()!.host);
    expect(picks).to.not.include('10.0.0.2');
    expect(pool.record(b, false)).to.equal(false);
    expect(pool.record(b, true)).to.equal(true);
    expect(pool.healthy()).to.have.length(3);
  });

  it('offers every untried backend to a connection whose connects failed, dead ones last', () => {
    const pool = new BackendPool([a, b, c]);
    pool.record(c, false);
    const tried = new Set<string>();
    const order: string[] = [];
    for (let x = pool.pick(tried); x; x = pool.pick(tried)) {
      tried.add(backendKey(x));
      order.push(x.host);
    }
    expect(order).to.have.length(3);
    expect(order[2]).to.equal('10.0.0.3');
  });

  it('tries all backends when none is healthy', () => {
    const pool = new BackendPool([a, b]);
    pool.record(a, false);
    pool.record(b, false);
    expect(pool.pick()).to.not.equal(undefined);
  });

  it('ignores outcomes of backends it does not have', () => {
    const pool = new BackendPool([a]);
    expect(pool.record({ host: '10.9.9.9', port: 1 }, false)).to.equal(false);
  });
});
