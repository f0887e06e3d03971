import { expect } from 'chai';
import type { CheckSpec } from '../history/history.js';
import { CheckError } from './check-error.js';
import { readCheckSpec } from './check-spec-reader.js';

const shape = {
  thresholds: {
    minSuccessRatio: { kind: 'ratio', required: true },
    maxErrorBurstMs: { kind: 'ms', required: false },
    maxRestarts: { kind: 'count', required: false },
  },
  select: ['load'],
} as const;

const spec = (thresholds: Record<string, unknown>, select?: Record<string, unknown>): CheckSpec =>
  ({ name: 'up', type: 'availability', window: 'whole-run', thresholds, select }) as CheckSpec;

describe('readCheckSpec', () => {
  it('reads thresholds and select that fit the shape', () => {
    expect(readCheckSpec(spec({ minSuccessRatio: 0.99 }, { load: 'echo' }), shape)).to.deep.equal({
      thresholds: { minSuccessRatio: 0.99 },
      select: { load: 'echo' },
    });
  });

  it('lists every problem in one error', () => {
    let error: unknown;
    try {
      readCheckSpec(
        spec({ minSuccesRatio: 0.99, maxErrorBurstMs: -1, maxRestarts: 1.5 }, { lod: 'echo', load: 3 }),
        shape,
      );
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(CheckError).with.property('code', 'InvalidCheckSpec');
    expect((error as CheckError).problems).to.deep.equal([
      'unknown threshold "minSuccesRatio" (availability takes minSuccessRatio, maxErrorBurstMs, maxRestarts)',
      'threshold "maxErrorBurstMs" must be a duration in milliseconds, 0 or more, got -1',
      'threshold "maxRestarts" must be a whole number, 0 or more, got 1.5',
      'missing threshold "minSuccessRatio"',
      'unknown select key "lod" (availability selects by load)',
      'select "load" must be a non-empty string, got 3',
    ]);
    expect((error as CheckError).message).to.match(
      /^Check "up" \(availability\) is invalid: unknown threshold/,
    );
  });

  it('explains a ratio written as a percentage', () => {
    expect(() => readCheckSpec(spec({ minSuccessRatio: 99 }), shape)).to.throw('0.99 means 99%');
  });

  it('adds the problems of a cross-check', () => {
    expect(() => readCheckSpec(spec({ minSuccessRatio: 0.9 }), shape, () => ['needs a load'])).to.throw(
      CheckError,
      'needs a load',
    );
  });
});
