import { expect } from 'chai';
import type { Pod, PodDisruptionBudget } from '../api/types.js';
import {
  DELETION_TIMEOUT_MS,
  budgetStatus,
  countHealthy,
  expectedCounts,
  failSafeStatus,
  pendingDisruptions,
  scaledValue,
} from './disruption-status.js';

const NOW = new Date('2026-01-01T12:00:00Z');
const at = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, ready: boolean, terminating = false): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', ...(terminating ? { deletionTimestamp: at(0) } : {}) },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function pdb(spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'shop', generation: 3 },
    spec,
    ...(status ? { status } : {}),
  };
}

const scaleOf =
  (expected: number, unmanaged: string[] = []) =>
  () => ({ expected, unmanaged });
const three = [pod('a', true), pod('b', true), pod('c', false)];

describe('disruption status (the disruption controller’s arithmetic)', () => {
  it('scales percents of a total, rounding as asked, and keeps numbers', () => {
    expect(scaledValue('25%', 10, true)).to.equal(3);
    expect(scaledValue('25%', 10, false)).to.equal(2);
    expect(scaledValue(4, 10, true)).to.equal(4);
  });

  it('takes a numeric minAvailable against the pods there are, whatever their controllers want', () => {
    const scale = () => {
      throw new Error('not asked');
    };
    expect(expectedCounts(pdb({ minAvailable: 2 }), three, scale)).to.deep.equal({
      expectedCount: 3,
      desiredHealthy: 2,
      unmanaged: [],
    });
  });

  it('takes a percent minAvailable, rounded up, of what the controllers want', () => {
    expect(expectedCounts(pdb({ minAvailable: '50%' }), three, scaleOf(5))).to.deep.equal({
      expectedCount: 5,
      desiredHealthy: 3,
      unmanaged: [],
    });
  });

  it('takes maxUnavailable, rounded up, off what the controllers want, never below 0', () => {
    expect(expectedCounts(pdb({ maxUnavailable: '30%' }), three, scaleOf(4, ['x']))).to.deep.equal({
      expectedCount: 4,
      desiredHealthy: 2,
      unmanaged: ['x'],
    });
    expect(expectedCounts(pdb({ maxUnavailable: 9 }), three, scaleOf(4)).desiredHealthy).to.equal(0);
  });

  it('expects nothing of a budget with neither bound, so it allows nothing', () => {
    const counts = expectedCounts(pdb({}), three, scaleOf(3));
    expect(counts).to.deep.equal({ expectedCount: 0, desiredHealthy: 0, unmanaged: [] });
    expect(budgetStatus(pdb({}), { ...counts, currentHealthy: 3 }, {}, NOW).disruptionsAllowed).to.equal(0);
  });

  it('counts Ready pods that are neither terminating nor being evicted as healthy', () => {
    const pods = [pod('a', true), pod('b', true), pod('c', false), pod('d', true, true)];
    expect(countHealthy(pods, {})).to.equal(2);
    expect(countHealthy(pods, { b: at(0) })).to.equal(1);
  });

  it('keeps evictions pending until the pod terminates or two minutes pass, rechecking when the next expires', () => {
    const budget = pdb(
      { minAvailable: 1 },
      {
        disruptionsAllowed: 0,
        currentHealthy: 2,
        desiredHealthy: 1,
        expectedPods: 3,
        disruptedPods: { a: at(10_000), b: at(DELETION_TIMEOUT_MS + 1), d: at(0), gone: at(0) },
      },
    );
    const pods = [pod('a', true), pod('b', true), pod('c', true), pod('d', true, true)];
    const { disruptedPods, recheckAt } = pendingDisruptions(budget, pods, NOW);
    expect(disruptedPods).to.deep.equal({ a: at(10_000) });
    expect(recheckAt).to.equal(NOW.getTime() - 10_000 + DELETION_TIMEOUT_MS);
  });

  it('allows healthy minus desired, with the generation judged and a DisruptionAllowed condition', () => {
    const status = budgetStatus(
      pdb({ minAvailable: 1 }),
      { currentHealthy: 3, desiredHealthy: 1, expectedCount: 3 },
      { x: at(0) },
      NOW,
    );
    expect(status).to.deep.equal({
      observedGeneration: 3,
      disruptedPods: { x: at(0) },
      disruptionsAllowed: 2,
      currentHealthy: 3,
      desiredHealthy: 1,
      expectedPods: 3,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: 'True',
          observedGeneration: 3,
          lastTransitionTime: at(0),
          reason: 'SufficientPods',
          message: '',
        },
      ],
    });
  });

  it('moves the condition’s transition time only when its status changes', () => {
    const before = budgetStatus(
      pdb({ minAvailable: 1 }),
      { currentHealthy: 1, desiredHealthy: 1, expectedCount: 2 },
      {},
      new Date(NOW.getTime() - 60_000),
    );
    const same = budgetStatus(
      pdb({ minAvailable: 1 }, before),
      { currentHealthy: 0, desiredHealthy: 1, expectedCount: 2 },
      {},
      NOW,
    );
    expect(same.disruptionsAllowed).to.equal(0);
    expect(same.conditions![0]!.lastTransitionTime).to.equal(at(60_000));
    const flipped = budgetStatus(
      pdb({ minAvailable: 1 }, same),
      { currentHealthy: 2, desiredHealthy: 1, expectedCount: 2 },
      {},
      NOW,
    );
    expect(flipped.conditions![0]).to.deep.include({ status: 'True', lastTransitionTime: at(0) });
  });

  it('allows nothing, saying why, when the budget cannot be judged', () => {
    const status = failSafeStatus(
      pdb(
        { maxUnavailable: 1 },
        { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 },
      ),
      'found no controllers for pod "a"',
      NOW,
    );
    expect(status).to.deep.include({ disruptionsAllowed: 0, currentHealthy: 3, observedGeneration: 3 });
    expect(status.conditions![0]).to.deep.include({
      status: 'False',
      reason: 'SyncFailed',
      message: 'found no controllers for pod "a"',
    });
  });
});
