import { expect } from 'chai';
import type { Pod } from '../api/types.js';
import {
  ReplicaCalculationError,
  formatMilliQuantity,
  milliValue,
  resourceReplicasForAverageValue,
  resourceReplicasForUtilization,
  type PodUsage,
  type ReplicaCalculationInput,
} from './replica-calculator.js';

const NOW = Date.parse('2026-03-04T10:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** How a pod of the fixtures is: upstream's test tables describe pods the same way. */
interface PodState {
  /** Ready True (default), or False: never became Ready since it started. */
  ready?: boolean;
  /** Started a minute ago and Ready a moment ago, within the cpu initialization period. */
  hot?: boolean;
  phase?: 'Running' | 'Pending' | 'Failed';
  deleting?: boolean;
  /** The cpu request, default `1` (a core); `null` for none. */
  request?: string | null;
}

function pod(i: number, state: PodState = {}): Pod {
  const started = state.hot ? NOW - MINUTE : NOW - 10 * MINUTE;
  // Readiness last changed just now for a hot pod, soon after start otherwise.
  const transition = state.hot ? NOW - 5_000 : started + 10_000;
  const request = state.request === undefined ? '1' : state.request;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `p${i}`,
      namespace: 'ns',
      ...(state.deleting ? { deletionTimestamp: iso(NOW - 1_000) } : {}),
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'crucible/sleeper',
          resources: request === null ? {} : { requests: { cpu: request } },
        },
      ],
    },
    status: {
      phase: state.phase ?? 'Running',
      startTime: iso(started),
      conditions: [
        {
          type: 'Ready',
          status: state.ready === false ? 'False' : 'True',
          lastTransitionTime: iso(transition),
        },
      ],
    },
  };
}

/** Samples taken 10 s ago over a 30 s window, by pod index; `undefined` leaves a pod without one. */
function usage(levels: readonly (number | undefined)[]): Map<string, PodUsage> {
  const samples = new Map<string, PodUsage>();
  levels.forEach((level, i) => {
    if (level !== undefined)
      samples.set(`p${i}`, { milliValue: level, timestampMs: NOW - 10_000, windowMs: 30_000 });
  });
  return samples;
}

function input(
  currentReplicas: number,
  pods: Pod[],
  levels: readonly (number | undefined)[],
  resource = 'cpu',
): ReplicaCalculationInput {
  return {
    resource,
    currentReplicas,
    pods,
    usage: usage(levels),
    nowMs: NOW,
    cpuInitializationPeriodMs: 5 * MINUTE,
    initialReadinessDelayMs: 30_000,
  };
}

const pods = (n: number, states: PodState[] = []) => Array.from({ length: n }, (_, i) => pod(i, states[i]));

describe('the replica calculator, Utilization targets (upstream replica_calculator_test)', () => {
  it('scales up by the ratio of utilization to target (ScaleUp: 300/500/700m of 1 core at 30% → 5)', () => {
    expect(resourceReplicasForUtilization(input(3, pods(3), [300, 500, 700]), 30)).to.deep.equal({
      replicas: 5,
      utilization: 50,
      averageMilliValue: 500,
    });
  });

  it('scales down by the same ratio (ScaleDown: 28% at 50% of 5 pods → 3)', () => {
    expect(resourceReplicasForUtilization(input(5, pods(5), [100, 300, 500, 250, 250]), 50)).to.deep.equal({
      replicas: 3,
      utilization: 28,
      averageMilliValue: 280,
    });
  });

  it('changes nothing within the 10% tolerance (Tolerance: 102% of 100%)', () => {
    const unevenRequests = [pod(0, { request: '900m' }), pod(1), pod(2, { request: '1100m' })];
    expect(resourceReplicasForUtilization(input(3, unevenRequests, [1010, 1030, 1020]), 100)).to.include({
      replicas: 3,
      utilization: 102,
    });
  });

  it('counts an unready pod as using nothing on a scale-up (ScaleUpUnreadyLessScale → 4, not 5)', () => {
    const proposal = resourceReplicasForUtilization(
      input(3, pods(3, [{ ready: false }]), [300, 500, 700]),
      30,
    );
    expect(proposal).to.deep.equal({ replicas: 4, utilization: 60, averageMilliValue: 600 });
  });

  it('does not trust the cpu of a pod just started and just Ready (ScaleUpHotCpuLessScale → 4)', () => {
    const proposal = resourceReplicasForUtilization(input(3, pods(3, [{ hot: true }]), [300, 500, 700]), 30);
    expect(proposal).to.include({ replicas: 4, utilization: 60 });
  });

  it('trusts a hot pod for memory: readiness only matters for cpu', () => {
    const memoryPods = pods(3, [{ hot: true }]).map((p) => {
      p.spec.containers[0]!.resources = { requests: { memory: '1000' } };
      return p;
    });
    const proposal = resourceReplicasForUtilization(
      input(3, memoryPods, [300_000, 500_000, 700_000], 'memory'),
      30,
    );
    expect(proposal).to.include({ replicas: 5, utilization: 50 });
  });

  it('keeps the count when counting unready pods as idle would turn a scale-up round (ScaleUpUnreadyNoScale)', () => {
    const proposal = resourceReplicasForUtilization(
      input(3, pods(3, [{}, { ready: false }, { ready: false }]), [400, 500, 700]),
      30,
    );
    expect(proposal).to.deep.equal({ replicas: 3, utilization: 40, averageMilliValue: 400 });
  });

  it('ignores failed pods and pods being deleted (ScaleUpIgnoresFailedPods, ScaleUpIgnoresDeletionPods)', () => {
    const withFailed = pods(4, [{}, {}, { phase: 'Failed' }, { deleting: true }]);
    expect(resourceReplicasForUtilization(input(2, withFailed, [500, 700, 300, 300]), 30)).to.deep.equal({
      replicas: 4,
      utilization: 60,
      averageMilliValue: 600,
    });
  });

  it('treats a pending pod as unready', () => {
    const proposal = resourceReplicasForUtilization(
      input(3, pods(3, [{ phase: 'Pending' }]), [undefined, 500, 700]),
      30,
    );
    expect(proposal.replicas).to.equal(4);
  });

  it('ignores unready pods on a scale-down (ScaleDownIgnoresUnreadyPods → 2)', () => {
    const proposal = resourceReplicasForUtilization(
      input(5, pods(5, [{}, {}, {}, { ready: false }, { ready: false }]), [100, 300, 500, 250, 250]),
      50,
    );
    expect(proposal).to.deep.equal({ replicas: 2, utilization: 30, averageMilliValue: 300 });
  });

  it('counts a pod without metrics as idle on a scale-up', () => {
    // 100% of 50% on three pods; the fourth counted at 0%: 75%, ratio 1.5 over four pods.
    expect(resourceReplicasForUtilization(input(4, pods(4), [1000, 1000, 1000, undefined]), 50)).to.include({
      replicas: 6,
      utilization: 100,
    });
  });

  it('counts a pod without metrics as using its whole request on a scale-down', () => {
    // 10% of 50%; the fourth counted at 100%: 32%, ratio 0.64 over four pods.
    expect(resourceReplicasForUtilization(input(4, pods(4), [100, 100, 100, undefined]), 50)).to.include({
      replicas: 3,
      utilization: 10,
    });
  });

  it('keeps the count when missing pods would turn a scale-down round (MissingMetricsNoChangeLt)', () => {
    // 40% of 50% on two pods: the missing one at 100% lifts the average to 60%.
    expect(resourceReplicasForUtilization(input(3, pods(3), [400, 400, undefined]), 50).replicas).to.equal(3);
  });

  it('keeps the count at exactly the target even with a pod missing (MissingMetricsNoChangeEq)', () => {
    expect(resourceReplicasForUtilization(input(2, pods(2), [1000, undefined]), 100).replicas).to.equal(2);
  });

  it('fails on a container without a request, naming it as upstream', () => {
    expect(() => resourceReplicasForUtilization(input(2, pods(2, [{}, { request: null }]), [500, 500]), 50))
      .to.throw(ReplicaCalculationError)
      .with.property('message', 'missing request for cpu in container c of Pod p1');
  });

  it('fails without pods, and without any usable sample', () => {
    expect(() => resourceReplicasForUtilization(input(1, [], []), 50)).to.throw(
      'no pods returned by selector while calculating replica count',
    );
    expect(() =>
      resourceReplicasForUtilization(input(2, pods(2, [{ ready: false }, { ready: false }]), [500, 500]), 50),
    ).to.throw('did not receive metrics for targeted pods (pods might be unready)');
  });
});

describe('the replica calculator, AverageValue targets', () => {
  it('scales by the average usage per pod over the target', () => {
    expect(resourceReplicasForAverageValue(input(3, pods(3), [300, 500, 700]), 250)).to.deep.equal({
      replicas: 6,
      averageMilliValue: 500,
    });
    expect(resourceReplicasForAverageValue(input(3, pods(3), [240, 250, 260]), 250).replicas).to.equal(3);
  });

  it('counts a missing pod as using the target on a scale-down and nothing on a scale-up', () => {
    // 100 per pod on three pods of 500 wanted; the fourth at 500: 200 average, 0.4 over four pods → 2.
    expect(
      resourceReplicasForAverageValue(input(4, pods(4), [100, 100, 100, undefined]), 500).replicas,
    ).to.equal(2);
    // 1000 per pod on three of 500 wanted; the fourth at 0: 750, 1.5 over four pods → 6.
    expect(
      resourceReplicasForAverageValue(input(4, pods(4), [1000, 1000, 1000, undefined]), 500).replicas,
    ).to.equal(6);
  });

  it('needs no request', () => {
    const noRequests = pods(2, [{ request: null }, { request: null }]);
    expect(resourceReplicasForAverageValue(input(2, noRequests, [1000, 1000]), 500).replicas).to.equal(4);
  });
});

describe('milli quantities', () => {
  it('reads a quantity in milli-units, rounding up as Quantity.MilliValue', () => {
    expect(milliValue('250m')).to.equal(250);
    expect(milliValue('123456789n')).to.equal(124);
    expect(milliValue('2')).to.equal(2000);
    expect(milliValue('12Mi')).to.equal(12 * 1024 * 1024 * 1000);
  });

  it('prints a milli-amount as resource.NewMilliQuantity(v, DecimalSI) does', () => {
    expect(formatMilliQuantity(250)).to.equal('250m');
    expect(formatMilliQuantity(1500)).to.equal('1500m');
    expect(formatMilliQuantity(2000)).to.equal('2');
    expect(formatMilliQuantity(0)).to.equal('0');
    expect(formatMilliQuantity(12_000_000)).to.equal('12k');
    expect(formatMilliQuantity(12_582_912_000)).to.equal('12582912');
  });
});
