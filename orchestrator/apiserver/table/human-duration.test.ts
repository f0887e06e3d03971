import { expect } from 'chai';

import { humanDuration, translateTimestampSince } from './human-duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration', () => {
  it('reads up to two seconds in the future as 0s and further as <invalid>', () => {
    expect(humanDuration(-500)).to.equal('0s');
    expect(humanDuration(-1999)).to.equal('0s');
    expect(humanDuration(-2 * s)).to.equal('<invalid>');
  });

  it('counts whole seconds below two minutes', () => {
    expect(humanDuration(0)).to.equal('0s');
    expect(humanDuration(5 * s + 900)).to.equal('5s');
    expect(humanDuration(119 * s)).to.equal('119s');
  });

  it('shows minutes and seconds below ten minutes, dropping zero seconds', () => {
    expect(humanDuration(2 * m)).to.equal('2m');
    expect(humanDuration(3 * m + 20 * s)).to.equal('3m20s');
    expect(humanDuration(9 * m + 59 * s)).to.equal('9m59s');
  });

  it('shows whole minutes from ten minutes up to three hours', () => {
    expect(humanDuration(10 * m + 30 * s)).to.equal('10m');
    expect(humanDuration(179 * m + 59 * s)).to.equal('179m');
  });

  it('shows hours and minutes from three up to eight hours, dropping zero minutes', () => {
    expect(humanDuration(3 * h)).to.equal('3h');
    expect(humanDuration(3 * h + 5 * m)).to.equal('3h5m');
    expect(humanDuration(7 * h + 59 * m)).to.equal('7h59m');
  });

  it('shows whole hours from eight up to 48 hours', () => {
    expect(humanDuration(8 * h + 30 * m)).to.equal('8h');
    expect(humanDuration(47 * h)).to.equal('47h');
  });

  it('shows days and hours from two up to eight days, dropping zero hours', () => {
    expect(humanDuration(2 * d)).to.equal('2d');
    expect(humanDuration(2 * d + 3 * h)).to.equal('2d3h');
    expect(humanDuration(7 * d + 23 * h)).to.equal('7d23h');
  });

  it('shows whole days from eight days up to two years', () => {
    expect(humanDuration(8 * d + 5 * h)).to.equal('8d');
    expect(humanDuration(729 * d)).to.equal('729d');
  });

  it('shows years and days from two up to eight years, then whole years', () => {
    expect(humanDuration(2 * y)).to.equal('2y');
    expect(humanDuration(3 * y + 5 * d)).to.equal('3y5d');
    expect(humanDuration(8 * y + 100 * d)).to.equal('8y');
  });
});

describe('translateTimestampSince', () => {
  const now = new Date('2025-01-01T12:00:00Z');

  it('measures from an RFC 3339 timestamp to now', () => {
    expect(translateTimestampSince('2025-01-01T11:56:40Z', now)).to.equal('3m20s');
  });

  it('prints <unknown> for an unset or unparseable timestamp', () => {
    expect(translateTimestampSince(undefined, now)).to.equal('<unknown>');
    expect(translateTimestampSince(null, now)).to.equal('<unknown>');
    expect(translateTimestampSince('yesterday-ish', now)).to.equal('<unknown>');
  });
});
