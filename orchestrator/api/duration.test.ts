import { expect } from 'chai';
import { parseDuration } from './duration.js';

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
