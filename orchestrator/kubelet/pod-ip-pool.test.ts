import { expect } from 'chai';
import { PodIpPool } from './pod-ip-pool.js';

describe('PodIpPool', () => {
  it('hands out the lowest free address of the node’s /24, the same one for the same pod', () => {
    const pool = new PodIpPool();
    expect(pool.assign('sim-1', '10.64.1.0/24', 'a')).to.equal('10.64.1.1');
    expect(pool.assign('sim-1', '10.64.1.0/24', 'b')).to.equal('10.64.1.2');
    expect(pool.assign('sim-2', '10.64.2.0/24', 'c')).to.equal('10.64.2.1');
    expect(pool.assign('sim-1', '10.64.1.0/24', 'a')).to.equal('10.64.1.1');
    pool.release('sim-1', 'a');
    expect(pool.assign('sim-1', '10.64.1.0/24', 'd')).to.equal('10.64.1.1');
  });

  it('keeps an address a pod already holds when it is free, as after a restart of the simulator', () => {
    const pool = new PodIpPool();
    expect(pool.assign('sim-1', '10.64.1.0/24', 'a', '10.64.1.77')).to.equal('10.64.1.77');
    expect(pool.assign('sim-1', '10.64.1.0/24', 'b', '10.64.1.77')).to.equal('10.64.1.1');
    expect(pool.assign('sim-1', '10.64.1.0/24', 'c', '10.99.0.5')).to.equal('10.64.1.2');
  });
});
