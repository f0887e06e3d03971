import { expect } from 'chai';
import { mergeOutcomes, overallOutcome, type Verdict, type VerdictOutcome } from './verdict.js';

const verdict = (outcome: VerdictOutcome): Verdict => ({
  check: outcome,
  type: 'availability',
  window: 'whole-run',
  threshold: 'success ratio ≥ 99%',
  measured: null,
  unit: '%',
  outcome,
  summary: '',
  evidence: [],
});

describe('mergeOutcomes', () => {
  it('lets fail beat unknown and unknown beat pass', () => {
    expect(mergeOutcomes(['pass', 'unknown', 'fail', 'pass'])).to.equal('fail');
    expect(mergeOutcomes(['pass', 'unknown', 'pass'])).to.equal('unknown');
    expect(mergeOutcomes(['pass', 'pass'])).to.equal('pass');
  });

  it('passes an empty list', () => {
    expect(mergeOutcomes([])).to.equal('pass');
  });
});

describe('overallOutcome', () => {
  it('merges the verdicts’ outcomes', () => {
    expect(overallOutcome([verdict('pass'), verdict('unknown')])).to.equal('unknown');
    expect(overallOutcome([verdict('unknown'), verdict('fail')])).to.equal('fail');
    expect(overallOutcome([verdict('pass')])).to.equal('pass');
  });
});
