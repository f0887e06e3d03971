import { expect } from 'chai';
import type { CheckSpec } from '../history/history.js';
import { CheckError } from './check-error.js';
import { checkSpecProblems, readCheckSpec, type CheckSpecShape } from './check-spec-reader.js';
import { CHECK_SHAPES, checkerCatalogue } from './checker-catalogue.js';

const shape = {
  description: 'a test shape',
  thresholds: {
    minSuccessRatio: { kind: 'ratio', required: true, description: 'least ratio' },
    maxErrorBurstMs: { kind: 'ms', required: false, description: 'longest burst' },
    maxRestarts: { kind: 'count', required: false, description: 'most restarts' },
  },
  select: { load: 'a load' },
  windows: 'any',
  measures: 'a ratio',
} as const satisfies CheckSpecShape;

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
      'unknown threshold "minSuccesRatio" (availability takes minSuccessRatio, maxErrorBurstMs, maxRestarts); did you mean "minSuccessRatio"?',
      'threshold "maxErrorBurstMs" must be a duration in milliseconds, 0 or more, got -1',
      'threshold "maxRestarts" must be a whole number, 0 or more, got 1.5',
      'unknown select key "lod" (availability selects by load); did you mean "load"?',
      'select "load" must be a non-empty string, got 3',
    ]);
    expect((error as CheckError).message).to.match(
      /^Check "up" \(availability\) is invalid: unknown threshold/,
    );
  });

  it('explains a ratio written as a percentage, and a duration written with a unit', () => {
    expect(() => readCheckSpec(spec({ minSuccessRatio: 99 }), shape)).to.throw('0.99 means 99%');
    expect(() => readCheckSpec(spec({ minSuccessRatio: 0.9, maxErrorBurstMs: '2s' }), shape)).to.throw(
      'must be a number of milliseconds (5000, not "5s"), got "2s"',
    );
  });

  it('adds the problems of the shape’s cross-check once every key is valid', () => {
    const crossChecked = {
      ...shape,
      crossCheck: ({ select }) =>
        select.load === undefined ? [{ path: ['select'], message: 'needs a load' }] : [],
    } satisfies CheckSpecShape;
    expect(() => readCheckSpec(spec({ minSuccessRatio: 0.9 }), crossChecked)).to.throw(
      CheckError,
      'needs a load',
    );
  });
});

describe('checkSpecProblems', () => {
  it('says where each problem is, and marks an unknown key as the problem itself', () => {
    expect(
      checkSpecProblems({ type: 'availability', thresholds: { maxErrorBurst: 1000 }, select: {} }, shape),
    ).to.deep.equal([
      {
        path: ['thresholds', 'maxErrorBurst'],
        atKey: true,
        message:
          'unknown threshold "maxErrorBurst" (availability takes minSuccessRatio, maxErrorBurstMs, maxRestarts); did you mean "maxErrorBurstMs"?',
      },
      { path: ['thresholds'], message: 'missing threshold "minSuccessRatio" (availability needs it)' },
    ]);
  });

  it('does not call a required threshold missing when a misspelling of it is there: that is the problem', () => {
    expect(
      checkSpecProblems({ type: 'availability', thresholds: { minSucessRatio: 0.99 }, select: {} }, shape),
    ).to.deep.equal([
      {
        path: ['thresholds', 'minSucessRatio'],
        atKey: true,
        message:
          'unknown threshold "minSucessRatio" (availability takes minSuccessRatio, maxErrorBurstMs, maxRestarts); did you mean "minSuccessRatio"?',
      },
    ]);
  });

  it('finds nothing wrong in a spec that fits', () => {
    expect(
      checkSpecProblems({ type: 'availability', thresholds: { minSuccessRatio: 1 } }, shape),
    ).to.deep.equal([]);
  });
});

describe('CHECK_SHAPES', () => {
  it('has the shape of every checker, by its type', () => {
    for (const [type, checker] of Object.entries(checkerCatalogue))
      expect(CHECK_SHAPES[type as keyof typeof CHECK_SHAPES], type).to.equal(checker.shape);
  });

  it('describes every threshold and select key', () => {
    for (const [type, s] of Object.entries(CHECK_SHAPES)) {
      expect(s.description, type).to.not.equal('');
      for (const [key, rule] of Object.entries(s.thresholds))
        expect(rule.description, `${type}.${key}`).to.not.equal('');
      for (const [key, words] of Object.entries(s.select))
        expect(words, `${type} select ${key}`).to.not.equal('');
    }
  });

  it('rejects a latency check without any limit, and an other-tenant ratio without its namespace', () => {
    expect(checkSpecProblems({ type: 'latency', thresholds: {} }, CHECK_SHAPES.latency)).to.deep.equal([
      {
        path: ['thresholds'],
        message: 'latency needs at least one of maxP50Ms, maxP90Ms, maxP99Ms, maxMaxMs',
      },
    ]);
    expect(
      checkSpecProblems(
        { type: 'namespace-isolation', thresholds: { minOtherTenantSuccessRatio: 0.9 } },
        CHECK_SHAPES['namespace-isolation'],
      ).map((p) => p.path),
    ).to.deep.equal([['thresholds', 'minOtherTenantSuccessRatio']]);
  });
});
