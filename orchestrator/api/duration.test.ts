import { expect } from 'chai';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads Go durations with one or several units', () => {
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('2s')).to.equal(2000);
    expect(parseDuration('1m30s')).to.equal(90_000);
    expect(parseDuration('1.5h')).to.equal(5_400_000);
    expect(parseDuration('0')).to.equal(0);
  });

  it('rejects text that is not a duration, naming it', () => {
    expect(() => parseDuration('10')).to.throw(RangeError, '"10"');
    expect(() => parseDuration('2 s')).to.throw(RangeError);
    expect(() => parseDuration('1x')).to.throw(RangeError);
  });
});

describe('formatDuration', () => {
  it('prints milliseconds as Go prints a time.Duration', () => {
    expect(formatDuration(0)).to.equal('0s');
    expect(formatDuration(500)).to.equal('500ms');
    expect(formatDuration(1.5)).to.equal('1.5ms');
    expect(formatDuration(0.002)).to.equal('2µs');
    expect(formatDuration(1000)).to.equal('1s');
    expect(formatDuration(1002)).to.equal('1.002s');
    expect(formatDuration(15_020)).to.equal('15.02s');
    expect(formatDuration(90_000)).to.equal('1m30s');
    expect(formatDuration(60_500)).to.equal('1m0.5s');
    expect(formatDuration(3_600_000)).to.equal('1h0m0s');
    expect(formatDuration(-2000)).to.equal('-2s');
  });

  it('prints what parseDuration reads back', () => {
    for (const ms of [250, 1000, 1234, 61_000, 5_400_000])
      expect(parseDuration(formatDuration(ms))).to.equal(ms);
  });
});
