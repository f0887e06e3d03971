import { expect } from 'chai';
import { Quantity } from './quantity.js';

const q = (text: string | number) => {
  const parsed = Quantity.parse(text);
  if (!parsed) throw new Error(`unparsable ${text}`);
  return parsed;
};
const sum = (...texts: (string | number)[]) =>
  texts
    .map(q)
    .reduce((a, b) => a.add(b), Quantity.ZERO)
    .toString();

describe('Quantity', () => {
  it('prints decimal amounts canonically, with an exponent that is a multiple of three', () => {
    expect(q('0.5').toString()).to.equal('500m');
    expect(q('1500m').toString()).to.equal('1500m');
    expect(q('1000m').toString()).to.equal('1');
    expect(q('1000').toString()).to.equal('1k');
    expect(q('1500').toString()).to.equal('1500');
    expect(q('2').toString()).to.equal('2');
    expect(q('1G').toString()).to.equal('1G');
    expect(q('0.1n').toString()).to.equal('1n');
    expect(q(0.25).toString()).to.equal('250m');
  });

  it('prints binary amounts with the largest exact binary suffix, decimal below 1Ki', () => {
    expect(q('1024Mi').toString()).to.equal('1Gi');
    expect(q('1.5Gi').toString()).to.equal('1536Mi');
    expect(q('0.5Ki').toString()).to.equal('512');
    expect(q('1Ki').toString()).to.equal('1Ki');
  });

  it('prints exponent amounts in exponent form', () => {
    expect(q('1e3').toString()).to.equal('1e3');
    expect(q('12e2').toString()).to.equal('1200');
  });

  it('sums exactly, printing as the first non-zero addend', () => {
    expect(sum('100m', '200m')).to.equal('300m');
    expect(sum('0.1', '0.2')).to.equal('300m');
    expect(sum('500m', '500m')).to.equal('1');
    expect(sum('512Mi', '512Mi')).to.equal('1Gi');
    expect(sum('1Gi', '1G')).to.equal('2073741824');
    expect(sum('0', '256Mi')).to.equal('256Mi');
  });

  it('compares amounts across suffixes', () => {
    expect(q('1Gi').cmp(q('1G'))).to.be.greaterThan(0);
    expect(q('1000m').cmp(q('1'))).to.equal(0);
    expect(q('2').max(q('1500m')).toString()).to.equal('2');
  });

  it('refuses what is no quantity, and absurd exponents', () => {
    for (const bad of ['', 'abc', '1.2.3', '1Qi', '.', '1e99999', '1x']) {
      expect(Quantity.parse(bad), bad).to.equal(undefined);
    }
  });
});
