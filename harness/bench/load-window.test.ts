import { expect } from 'chai';
import { tallyLoadWindow } from './load-window.js';

describe('tallyLoadWindow', () => {
  const samples = [
    { intendedStartMs: 999, outcome: 'failed' as const, error: 'refused' as const },
    { intendedStartMs: 1000, outcome: 'ok' as const },
    { intendedStartMs: 1500, outcome: 'failed' as const, error: 'timeout' as const },
    { intendedStartMs: 1600, outcome: 'failed' as const, error: 'timeout' as const },
    { intendedStartMs: 1700, outcome: 'failed' as const },
    { intendedStartMs: 1800, outcome: 'dropped' as const },
    { intendedStartMs: 2000, outcome: 'ok' as const },
  ];

  it('counts the requests due in [from, to), failures by kind, dropped ones apart', () => {
    expect(tallyLoadWindow(samples, 1000, 2000)).to.deep.equal({
      sent: 4,
      ok: 1,
      failed: 3,
      dropped: 1,
      failuresByKind: { timeout: 2, other: 1 },
    });
  });

  it('is all zeros for a stretch nothing was due in', () => {
    expect(tallyLoadWindow(samples, 3000, 4000)).to.deep.equal({
      sent: 0,
      ok: 0,
      failed: 0,
      dropped: 0,
      failuresByKind: {},
    });
  });
});
