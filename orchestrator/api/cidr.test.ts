import { expect } from 'chai';
import { cidrContains, parseCidr, subtractCidrs, type Cidr } from './cidr.js';

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`${text} should parse`);
  return parsed;
};

describe('CIDR blocks (a NetworkPolicy ipBlock)', () => {
  it('reads IPv4 and IPv6 blocks, host bits set or not', () => {
    expect(parseCidr('10.0.0.0/8')).to.deep.equal({ family: 'ipv4', address: '10.0.0.0', prefix: 8 });
    expect(parseCidr('10.1.2.3/32')).to.deep.equal({ family: 'ipv4', address: '10.1.2.3', prefix: 32 });
    expect(parseCidr('0.0.0.0/0')).to.deep.equal({ family: 'ipv4', address: '0.0.0.0', prefix: 0 });
    expect(parseCidr('2001:db8::/32')).to.deep.equal({ family: 'ipv6', address: '2001:db8::', prefix: 32 });
  });

  it('refuses a bare address, a prefix too long for the family, a zone and what is no address', () => {
    for (const text of [
      '10.0.0.1',
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0.0/',
      '10.0.0.0/08',
      '10.0.0.0/-1',
      'fe80::1%eth0/64',
      '10.0.0/8',
      'ten/8',
      '',
    ])
      expect(parseCidr(text), text).to.equal(undefined);
  });

  it('tells whether one block lies inside another of the same family', () => {
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('10.1.0.0/16'))).to.equal(true);
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('10.0.0.0/8'))).to.equal(true);
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('11.0.0.0/16'))).to.equal(false);
    expect(cidrContains(cidr('10.1.0.0/16'), cidr('10.0.0.0/8'))).to.equal(false);
    expect(cidrContains(cidr('2001:db8::/32'), cidr('2001:db8:1::/48'))).to.equal(true);
    expect(cidrContains(cidr('0.0.0.0/0'), cidr('2001:db8::/32'))).to.equal(false);
  });
});

describe('subtractCidrs', () => {
  it('takes holes out of a block as the fewest CIDRs', () => {
    expect(subtractCidrs('10.0.0.0/30', ['10.0.0.1/32'])).to.deep.equal(['10.0.0.0/32', '10.0.0.2/31']);
    expect(subtractCidrs('0.0.0.0/0', [])).to.deep.equal(['0.0.0.0/0']);
    expect(subtractCidrs('10.0.0.0/24', ['10.0.0.0/16'])).to.deep.equal([]);
    expect(subtractCidrs('10.0.0.0/24', ['192.168.0.0/16'])).to.deep.equal(['10.0.0.0/24']);
    expect(subtractCidrs('10.0.0.5/24', [])).to.deep.equal(['10.0.0.0/24']);
  });

  it('yields nothing for an IPv6 block: pods here have IPv4 addresses only', () => {
    expect(subtractCidrs('fd00::/8', [])).to.deep.equal([]);
  });
});
