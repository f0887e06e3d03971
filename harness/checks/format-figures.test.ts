import { expect } from 'chai';
import { formatCount, formatDuration, formatPercent, formatT, listWords } from './format-figures.js';

describe('format-figures', () => {
  it('shows a ratio as a percentage with one decimal, trimmed', () => {
    expect(formatPercent(0.996)).to.equal('99.6%');
    expect(formatPercent(0.99)).to.equal('99%');
    expect(formatPercent(1)).to.equal('100%');
    expect(formatPercent(0)).to.equal('0%');
  });

  it('never rounds a ratio onto 100%, 0% or a threshold it is compared with', () => {
    expect(formatPercent(0.99996)).to.equal('99.996%');
    expect(formatPercent(0.00001)).to.equal('0.001%');
    expect(formatPercent(0.98996, [0.99])).to.equal('98.996%');
    expect(formatPercent(0.9995)).to.equal('99.95%');
  });

  it('shows durations in ms, s or min', () => {
    expect(formatDuration(250)).to.equal('250 ms');
    expect(formatDuration(1000)).to.equal('1 s');
    expect(formatDuration(1500)).to.equal('1.5 s');
    expect(formatDuration(125_000)).to.equal('2 min 5 s');
    expect(formatDuration(120_000)).to.equal('2 min');
  });

  it('shows moments, counts and lists', () => {
    expect(formatT(12_345)).to.equal('12.3 s');
    expect(formatCount(3000)).to.equal('3,000');
    expect(formatCount(1_234_567)).to.equal('1,234,567');
    expect(listWords(['a'])).to.equal('a');
    expect(listWords(['a', 'b', 'c'])).to.equal('a, b and c');
  });
});
