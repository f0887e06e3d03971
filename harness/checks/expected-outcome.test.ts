import { expect } from 'chai';
import { judgeExpectation, sabotageScore } from './expected-outcome.js';
import type { Verdict, VerdictOutcome } from './verdict.js';

const verdict = (check: string, outcome: VerdictOutcome, evidence: string[] = []): Verdict => ({
  check,
  type: 'self-heal',
  window: 'whole-run',
  threshold: 'ready again within 5 s',
  measured: null,
  unit: 'ms',
  outcome,
  summary: `${check} ${outcome}`,
  evidence: evidence.map((message) => ({ message })),
});

describe('judgeExpectation', () => {
  const expected = { fails: 'self-heal' };

  it('passes as caught when the named check, and no other, fails with evidence, and keeps that evidence', () => {
    const e = judgeExpectation(expected, [
      verdict('self-heal', 'fail', ["the API's view was stale: echo/echo-1 runs on no kubelet"]),
      verdict('availability', 'pass'),
    ]);
    expect(e).to.include({ result: 'caught', outcome: 'pass' });
    expect(e.summary).to.equal('Caught by "self-heal": self-heal fail');
    expect(e.evidence.map((x) => x.message)).to.deep.equal([
      "the API's view was stale: echo/echo-1 runs on no kubelet",
    ]);
  });

  it('fails as missed when the named check passes', () => {
    const e = judgeExpectation(expected, [verdict('self-heal', 'pass')]);
    expect(e).to.include({ result: 'missed', outcome: 'fail' });
    expect(e.summary).to.match(/missed: "self-heal" passed/);
  });

  it('fails as misattributed when another check fails instead, or beside it, naming that check', () => {
    const instead = judgeExpectation(expected, [
      verdict('self-heal', 'pass'),
      verdict('steady-state', 'fail'),
    ]);
    expect(instead).to.include({ result: 'misattributed', outcome: 'fail' });
    expect(instead.summary).to.include('"steady-state" failed instead (self-heal: pass)');
    expect(instead.evidence.map((x) => x.message)).to.deep.equal(['steady-state failed: steady-state fail']);
    const too = judgeExpectation(expected, [
      verdict('self-heal', 'fail', ['x']),
      verdict('availability', 'fail'),
    ]);
    expect(too).to.include({ result: 'misattributed', outcome: 'fail' });
    expect(too.summary).to.include('"availability" failed too');
  });

  it('is inconclusive when the named check was not judged, could not be, or failed without evidence', () => {
    expect(judgeExpectation(expected, [verdict('availability', 'pass')])).to.include({
      result: 'inconclusive',
      outcome: 'unknown',
    });
    expect(judgeExpectation(expected, [verdict('self-heal', 'unknown')])).to.include({
      result: 'inconclusive',
      outcome: 'unknown',
    });
    expect(judgeExpectation(expected, [verdict('self-heal', 'fail')]).summary).to.include(
      'failed but gave no evidence',
    );
  });

  it('lets another check that could not be judged stand: only failures mislead', () => {
    const e = judgeExpectation(expected, [
      verdict('self-heal', 'fail', ['x']),
      verdict('latency', 'unknown'),
    ]);
    expect(e.result).to.equal('caught');
  });
});

describe('sabotageScore', () => {
  it('counts the caught among the known bugs run', () => {
    expect(sabotageScore(['caught', 'missed', 'caught', 'inconclusive', 'misattributed'])).to.deep.equal({
      caught: 2,
      total: 5,
      text: 'caught 2 of 5 known bugs',
    });
    expect(sabotageScore(['caught']).text).to.equal('caught 1 of 1 known bug');
    expect(sabotageScore([]).text).to.equal('caught 0 of 0 known bugs');
  });
});
