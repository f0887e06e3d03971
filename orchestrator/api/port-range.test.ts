import { expect } from 'chai';
import { formatPortRange, inPortRange, parsePortRange, portRangeSize } from './port-range.js';

describe('port ranges (--service-node-port-range)', () => {
  it('reads MIN-MAX, MIN+COUNT and a single port, as kube-apiserver does', () => {
    expect(parsePortRange('30000-32767')).to.deep.equal({ min: 30000, max: 32767 });
    expect(parsePortRange(' 30080+19 ')).to.deep.equal({ min: 30080, max: 30099 });
    expect(parsePortRange('30080')).to.deep.equal({ min: 30080, max: 30080 });
  });

  it('refuses what is no range, ports beyond 1-65535 and a range that runs backwards', () => {
    expect(() => parsePortRange('30000:32767')).to.throw(
      '"30000:32767" is not a port range: MIN-MAX (e.g. 30000-32767), MIN+COUNT or one port',
    );
    expect(() => parsePortRange('0-10')).to.throw('"0-10": ports go from 1 to 65535');
    expect(() => parsePortRange('65000+1000')).to.throw('"65000+1000": ports go from 1 to 65535');
    expect(() => parsePortRange('30099-30080')).to.throw(
      '"30099-30080": the last port comes before the first',
    );
  });

  it('prints a range as upstream’s messages do, and knows its size and members', () => {
    const range = parsePortRange('30080-30099');
    expect(formatPortRange(range)).to.equal('30080-30099');
    expect(portRangeSize(range)).to.equal(20);
    expect([30079, 30080, 30099, 30100].map((p) => inPortRange(range, p))).to.deep.equal([
      false,
      true,
      true,
      false,
    ]);
  });
});
