import { expect } from 'chai';
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from '../api/types.js';
import {
  normalizeDesiredReplicas,
  recordScaleEvent,
  scaleDownLimit,
  scaleUpLimit,
  type NormalizationInput,
} from './replica-normalization.js';

const NOW = Date.parse('2026-03-04T10:00:00Z');
const ago = (seconds: number) => NOW - seconds * 1000;

/** The rules kube-apiserver fills a given behavior with (GenerateHPAScale{Up,Down}Rules). */
const DEFAULT_UP: HPAScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const DEFAULT_DOWN: HPAScalingRules = {
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

function normalize(over: Partial<NormalizationInput>) {
  return normalizeDesiredReplicas({
    desiredReplicas: 1,
    currentReplicas: 1,
    minReplicas: 1,
    maxReplicas: 10,
    nowMs: NOW,
    recommendations: [],
    downscaleStabilizationMs: 300_000,
    ...over,
  });
}

const withBehavior = (behavior: HorizontalPodAutoscalerBehavior, over: Partial<NormalizationInput>) =>
  normalize({ behavior: { scaleUp: DEFAULT_UP, scaleDown: DEFAULT_DOWN, ...behavior }, ...over });

describe('replica normalization without behaviors (normalizeDesiredReplicas)', () => {
  it('holds a scale-down at the highest recommendation of the stabilization window', () => {
    const result = normalize({
      desiredReplicas: 2,
      currentReplicas: 5,
      recommendations: [{ replicas: 5, atMs: ago(60) }],
    });
    expect(result.desiredReplicas).to.equal(5);
    expect(result.ableToScale.reason).to.equal('ScaleDownStabilized');
    expect(result.recommendations).to.deep.equal([
      { replicas: 5, atMs: ago(60) },
      { replicas: 2, atMs: NOW },
    ]);
  });

  it('scales down once the higher recommendations aged out, reusing the outdated slot', () => {
    const result = normalize({
      desiredReplicas: 2,
      currentReplicas: 5,
      recommendations: [{ replicas: 5, atMs: ago(301) }],
    });
    expect(result).to.deep.include({ desiredReplicas: 2 });
    expect(result.ableToScale.reason).to.equal('ReadyForNewScale');
    expect(result.scalingLimited).to.deep.include({ reason: 'DesiredWithinRange', limited: false });
    expect(result.recommendations).to.deep.equal([{ replicas: 2, atMs: NOW }]);
  });

  it('limits a scale-up to double the replicas or four, whichever is more', () => {
    expect(normalize({ desiredReplicas: 10, currentReplicas: 1, maxReplicas: 20 })).to.deep.include({
      desiredReplicas: 4,
      scalingLimited: {
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
        limited: true,
      },
    });
    expect(normalize({ desiredReplicas: 10, currentReplicas: 3, maxReplicas: 20 }).desiredReplicas).to.equal(
      6,
    );
  });

  it('bounds by maxReplicas and minReplicas (TooManyReplicas, TooFewReplicas)', () => {
    const tooMany = normalize({ desiredReplicas: 12, currentReplicas: 5, maxReplicas: 8 });
    expect(tooMany.desiredReplicas).to.equal(8);
    expect(tooMany.scalingLimited).to.deep.include({ reason: 'TooManyReplicas', limited: true });
    const tooFew = normalize({ desiredReplicas: 1, currentReplicas: 3, minReplicas: 2, recommendations: [] });
    expect(tooFew.desiredReplicas).to.equal(2);
    expect(tooFew.scalingLimited).to.deep.include({
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
      limited: true,
    });
  });
});

describe('replica normalization with behaviors (normalizeDesiredReplicasWithBehaviors)', () => {
  it('scales up by the default policies: four pods or double per 15 s, whichever is more', () => {
    expect(withBehavior({}, { desiredReplicas: 10, currentReplicas: 1, maxReplicas: 100 })).to.deep.include({
      desiredReplicas: 5,
    });
    expect(
      withBehavior({}, { desiredReplicas: 100, currentReplicas: 10, maxReplicas: 1000 }).desiredReplicas,
    ).to.equal(20);
  });

  it('counts each policy from the replicas at the start of its period', () => {
    // Scaled 2 → 5 ten seconds ago: Pods allows 2 + 4 = 6, Percent 2 × 2 = 4; Max takes 6.
    const result = withBehavior(
      {},
      { desiredReplicas: 10, currentReplicas: 5, scaleUpEvents: [{ change: 3, atMs: ago(10) }] },
    );
    expect(result.desiredReplicas).to.equal(6);
    expect(result.scalingLimited).to.deep.include({ reason: 'ScaleUpLimit', limited: true });
    // The event is older than the period: counted from 5, Percent allows 10.
    const later = withBehavior(
      {},
      { desiredReplicas: 10, currentReplicas: 5, scaleUpEvents: [{ change: 3, atMs: ago(16) }] },
    );
    expect(later.desiredReplicas).to.equal(10);
  });

  it('takes the policy allowing the least change under selectPolicy Min', () => {
    const rules: HPAScalingRules = { ...DEFAULT_UP, selectPolicy: 'Min' };
    expect(scaleUpLimit(10, [], [], rules, NOW)).to.equal(14);
    expect(scaleUpLimit(10, [], [], DEFAULT_UP, NOW)).to.equal(20);
    const down: HPAScalingRules = {
      selectPolicy: 'Min',
      policies: [
        { type: 'Pods', value: 1, periodSeconds: 60 },
        { type: 'Percent', value: 50, periodSeconds: 60 },
      ],
    };
    expect(scaleDownLimit(10, [], [], down, NOW)).to.equal(9);
    expect(scaleDownLimit(10, [], [], { ...down, selectPolicy: 'Max' }, NOW)).to.equal(5);
  });

  it('does not scale in a direction whose selectPolicy is Disabled', () => {
    const result = withBehavior(
      { scaleDown: { ...DEFAULT_DOWN, stabilizationWindowSeconds: 0, selectPolicy: 'Disabled' } },
      { desiredReplicas: 2, currentReplicas: 5 },
    );
    expect(result.desiredReplicas).to.equal(5);
    expect(result.scalingLimited).to.deep.include({ reason: 'ScaleDownLimit', limited: true });
  });

  it('limits a scale-down by the pods removed within the period', () => {
    const onePerMinute: HPAScalingRules = {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
    };
    const result = withBehavior(
      { scaleDown: onePerMinute },
      { desiredReplicas: 2, currentReplicas: 8, scaleDownEvents: [{ change: 1, atMs: ago(30) }] },
    );
    expect(result.desiredReplicas).to.equal(8);
    const fresh = withBehavior({ scaleDown: onePerMinute }, { desiredReplicas: 2, currentReplicas: 8 });
    expect(fresh.desiredReplicas).to.equal(7);
  });

  it('scales down to minReplicas at most, even when the policies allow more (TooFewReplicas)', () => {
    const result = withBehavior(
      { scaleDown: { ...DEFAULT_DOWN, stabilizationWindowSeconds: 0 } },
      { desiredReplicas: 1, currentReplicas: 10, minReplicas: 3 },
    );
    expect(result.desiredReplicas).to.equal(3);
    expect(result.scalingLimited).to.deep.include({ reason: 'TooFewReplicas', limited: true });
  });

  it('holds a scale-up at the lowest recommendation of the scale-up window', () => {
    const result = withBehavior(
      { scaleUp: { ...DEFAULT_UP, stabilizationWindowSeconds: 60 } },
      { desiredReplicas: 6, currentReplicas: 3, recommendations: [{ replicas: 3, atMs: ago(30) }] },
    );
    expect(result.desiredReplicas).to.equal(3);
    expect(result.ableToScale.reason).to.equal('ScaleUpStabilized');
  });

  it("uses the controller's downscale stabilization when the scale-down window is unset", () => {
    const held = withBehavior(
      {},
      { desiredReplicas: 2, currentReplicas: 5, recommendations: [{ replicas: 5, atMs: ago(60) }] },
    );
    expect(held.desiredReplicas).to.equal(5);
    expect(held.ableToScale.reason).to.equal('ScaleDownStabilized');
    const short = withBehavior(
      {},
      {
        desiredReplicas: 2,
        currentReplicas: 5,
        recommendations: [{ replicas: 5, atMs: ago(60) }],
        downscaleStabilizationMs: 30_000,
      },
    );
    expect(short.desiredReplicas).to.equal(2);
  });
});

describe('scale events', () => {
  it('are kept for the longest policy period of their direction', () => {
    const events = recordScaleEvent(
      [
        { change: 1, atMs: ago(100) },
        { change: 2, atMs: ago(10) },
      ],
      3,
      DEFAULT_UP,
      NOW,
    );
    expect(events).to.deep.equal([
      { change: 2, atMs: ago(10) },
      { change: 3, atMs: NOW },
    ]);
  });
});
