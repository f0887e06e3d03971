import { expect } from 'chai';
import { causesOf, expectCause, expectValid } from './support.test.js';

const pdb = (spec: object, status?: object) => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'shop' },
  spec,
  ...(status ? { status } : {}),
});

describe('PodDisruptionBudget schema', () => {
  it('admits minAvailable or maxUnavailable as a number or a percent, with any selector', () => {
    expectValid(pdb({ minAvailable: 2, selector: { matchLabels: { app: 'web' } } }), 'PodDisruptionBudget');
    expectValid(pdb({ maxUnavailable: '25%', selector: {} }), 'PodDisruptionBudget');
    expectValid(
      pdb({
        minAvailable: '100%',
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      }),
      'PodDisruptionBudget',
    );
  });

  it('refuses minAvailable and maxUnavailable together', () => {
    expectCause(
      pdb({ minAvailable: 1, maxUnavailable: 1 }),
      'PodDisruptionBudget',
      'spec',
      'minAvailable and maxUnavailable cannot be both set',
    );
  });

  it('refuses negative numbers, malformed percents and percents above 100', () => {
    expectCause(
      pdb({ minAvailable: -1 }),
      'PodDisruptionBudget',
      'spec.minAvailable',
      'must be greater than or equal to 0',
    );
    expectCause(
      pdb({ maxUnavailable: 'half' }),
      'PodDisruptionBudget',
      'spec.maxUnavailable',
      "a valid percent string must be a numeric string followed by an ending '%'",
    );
    expectCause(
      pdb({ minAvailable: '101%' }),
      'PodDisruptionBudget',
      'spec.minAvailable',
      'must not be greater than 100%',
    );
  });

  it('refuses an unknown unhealthyPodEvictionPolicy, listing the supported ones', () => {
    expectCause(
      pdb({ minAvailable: 1, unhealthyPodEvictionPolicy: 'Sometimes' }),
      'PodDisruptionBudget',
      'spec.unhealthyPodEvictionPolicy',
      'Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"',
    );
  });

  it('refuses a malformed selector and negative status counts, naming each field', () => {
    const causes = causesOf(
      pdb(
        { minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } },
        { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: -2, expectedPods: 0 },
      ),
      'PodDisruptionBudget',
    ).map((c) => c.field);
    expect(causes).to.include.members([
      'spec.selector.matchExpressions[0].values',
      'status.disruptionsAllowed',
      'status.desiredHealthy',
    ]);
  });

  it('refuses a field of the wrong type or an unknown field', () => {
    expectCause(pdb({ minAvailable: true }), 'PodDisruptionBudget', 'spec.minAvailable', 'Invalid value');
    expectCause(pdb({ minAvailble: 1 }), 'PodDisruptionBudget', 'spec.minAvailble', 'unknown field');
  });
});
