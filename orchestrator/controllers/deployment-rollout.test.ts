import { expect } from 'chai';
import type { Deployment, DeploymentSpec, ReplicaSet } from '../api/types.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
} from './deployment-annotations.js';
import {
  findActiveOrLatest,
  findNewReplicaSet,
  isSaturated,
  isScalingEvent,
  maxSurge,
  maxUnavailable,
  newReplicaSetReplicas,
  planCleanup,
  planNewReplicaSetScale,
  planOldReplicaSetsScaleDown,
  planProportionalScale,
  resolveFenceposts,
  scaledValue,
} from './deployment-rollout.js';

const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image }] },
});

function deployment(
  replicas: number,
  surge: number | string,
  unavailable: number | string,
  spec: Partial<DeploymentSpec> = {},
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: template('v2'),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
      ...spec,
    },
  };
}

interface RsOptions {
  available?: number;
  /** status.replicas; spec.replicas by default. */
  pods?: number;
  created?: string;
  image?: string;
  annotations?: Record<string, string>;
}

function rs(name: string, replicas: number, o: RsOptions = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: o.created ?? `2024-01-01T00:00:0${name.length % 10}Z`,
      annotations: o.annotations,
      generation: 1,
    },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(o.image ?? name) },
    status: {
      replicas: o.pods ?? replicas,
      availableReplicas: o.available ?? replicas,
      readyReplicas: o.available ?? replicas,
      observedGeneration: 1,
    },
  };
}

const sizes = (steps: { rs: ReplicaSet; replicas: number }[]) =>
  Object.fromEntries(steps.map((s) => [s.rs.metadata.name, s.replicas]));
const sized = (desired: number, max: number) => ({
  [DESIRED_REPLICAS_ANNOTATION]: String(desired),
  [MAX_REPLICAS_ANNOTATION]: String(max),
});

describe('deployment rollout arithmetic', () => {
  describe('fenceposts', () => {
    it('scales percentages, surge up and unavailability down', () => {
      expect(scaledValue('25%', 10, true)).to.equal(3);
      expect(scaledValue('25%', 10, false)).to.equal(2);
      expect(scaledValue(4, 10, true)).to.equal(4);
      expect(scaledValue('4', 10, true)).to.equal(0);
      expect(resolveFenceposts('25%', '25%', 10)).to.deep.equal({ maxSurge: 3, maxUnavailable: 2 });
    });

    it('lets a rollout move when both round to 0, as Kubernetes ResolveFenceposts', () => {
      expect(resolveFenceposts('0%', '1%', 2)).to.deep.equal({ maxSurge: 0, maxUnavailable: 1 });
      expect(resolveFenceposts('1%', '25%', 2)).to.deep.equal({ maxSurge: 1, maxUnavailable: 0 });
      expect(resolveFenceposts(undefined, undefined, 3)).to.deep.equal({ maxSurge: 0, maxUnavailable: 1 });
    });

    it('caps unavailability at replicas and gives Recreate neither', () => {
      expect(maxUnavailable(deployment(2, 0, 5))).to.equal(2);
      expect(maxUnavailable(deployment(0, 1, 1))).to.equal(0);
      const recreate = deployment(4, 1, 1, { strategy: { type: 'Recreate' } });
      expect([maxSurge(recreate), maxUnavailable(recreate)]).to.deep.equal([0, 0]);
    });
  });

  describe('finding the new ReplicaSet', () => {
    it('takes the oldest ReplicaSet whose template matches, ignoring the hash label', () => {
      const d = deployment(3, 1, 0);
      const a = rs('a', 1, { image: 'v2', created: '2024-01-02T00:00:00Z' });
      const b = rs('b', 1, { image: 'v2', created: '2024-01-01T00:00:00Z' });
      b.spec.template!.metadata!.labels!['pod-template-hash'] = 'xyz';
      expect(findNewReplicaSet(d, [a, b, rs('c', 1, { image: 'v1' })])).to.equal(b);
      expect(findNewReplicaSet(d, [rs('c', 1, { image: 'v1' })])).to.equal(undefined);
    });
  });

  describe('rolling update', () => {
    it('starts the new ReplicaSet at the surge and grows it as old replicas go', () => {
      const d = deployment(10, 3, 2);
      const fresh = rs('new', 0);
      expect(newReplicaSetReplicas(d, [rs('old', 10), fresh], fresh)).to.equal(3);
      const grown = rs('new', 3, { available: 0 });
      expect(planNewReplicaSetScale(d, [rs('old', 8), grown], grown)).to.equal(5);
      expect(planNewReplicaSetScale(d, [rs('old', 10), grown], grown)).to.equal(3);
    });

    it('never grows beyond spec.replicas and shrinks a new ReplicaSet above it', () => {
      const d = deployment(4, 3, 0);
      const newRS = rs('new', 3);
      expect(planNewReplicaSetScale(d, [rs('old', 0), newRS], newRS)).to.equal(4);
      const big = rs('new', 6);
      expect(planNewReplicaSetScale(d, [big], big)).to.equal(4);
    });

    it('counts the pods an old ReplicaSet still has while its scale-down is in flight', () => {
      const d = deployment(10, 3, 2);
      const newRS = rs('new', 3, { available: 3 });
      const old = rs('old', 5);
      const present = new Map([
        ['uid-old', 8],
        ['uid-new', 3],
      ]);
      expect(newReplicaSetReplicas(d, [old, newRS], newRS)).to.equal(8);
      expect(newReplicaSetReplicas(d, [old, newRS], newRS, present)).to.equal(5);
    });

    it('shrinks old ReplicaSets only as far as replicas - maxUnavailable stay available', () => {
      const d = deployment(10, 3, 2);
      const newRS = rs('new', 3, { available: 0 });
      const old = rs('old', 10);
      expect(sizes(planOldReplicaSetsScaleDown(d, [old, newRS], [old], newRS))).to.deep.equal({ old: 8 });
      const blocked = rs('old', 8);
      const newRS5 = rs('new', 5, { available: 0 });
      expect(planOldReplicaSetsScaleDown(d, [blocked, newRS5], [blocked], newRS5)).to.deep.equal([]);
    });

    it('with maxUnavailable 0 removes an old replica only for each new one available', () => {
      const d = deployment(4, 1, 0);
      const newRS = rs('new', 1, { available: 0 });
      const old = rs('old', 4);
      expect(planOldReplicaSetsScaleDown(d, [old, newRS], [old], newRS)).to.deep.equal([]);
      const ready = rs('new', 1, { available: 1 });
      expect(sizes(planOldReplicaSetsScaleDown(d, [old, ready], [old], ready))).to.deep.equal({ old: 3 });
    });

    it('does not count available pods an old ReplicaSet is about to delete', () => {
      // Scaled from 10 to 8 a moment ago; its status still reports the 10 it had.
      const d = deployment(10, 3, 2);
      const old = rs('old', 8, { available: 10, pods: 10 });
      const newRS = rs('new', 5, { available: 3 });
      expect(sizes(planOldReplicaSetsScaleDown(d, [old, newRS], [old], newRS))).to.deep.equal({ old: 5 });
    });

    it('removes unhealthy old replicas first, oldest ReplicaSet first', () => {
      const d = deployment(10, 0, 2);
      const older = rs('older', 4, { available: 2, created: '2024-01-01T00:00:00Z' });
      const old = rs('old', 6, { available: 6, created: '2024-01-02T00:00:00Z' });
      const newRS = rs('new', 0);
      const steps = planOldReplicaSetsScaleDown(d, [older, old, newRS], [older, old], newRS);
      // 2 unhealthy go for free; then 8 available is exactly the minimum.
      expect(sizes(steps)).to.deep.equal({ older: 2 });
    });
  });

  describe('proportional scaling', () => {
    it('gives a lone active ReplicaSet all replicas', () => {
      const d = deployment(5, 1, 1);
      const only = rs('new', 3);
      expect(sizes(planProportionalScale(d, only, [rs('old', 0)]))).to.deep.equal({ new: 5 });
      expect(planProportionalScale(deployment(3, 1, 1), only, [])).to.deep.equal([]);
      expect(
        findActiveOrLatest(undefined, [
          rs('a', 0, { created: '2024-01-01T00:00:00Z' }),
          rs('b', 0, { created: '2024-01-02T00:00:00Z' }),
        ])?.metadata.name,
      ).to.equal('b');
    });

    it('spreads a scale-up mid-rollout by each ReplicaSet share, as the Kubernetes docs example', () => {
      const d = deployment(15, 3, 2);
      const old = rs('old', 8, { annotations: sized(10, 13) });
      const newRS = rs('new', 5, { available: 0, annotations: sized(10, 13) });
      expect(isScalingEvent(d, [old, newRS])).to.equal(true);
      expect(sizes(planProportionalScale(d, newRS, [old]))).to.deep.equal({ old: 11, new: 7 });
    });

    it('spreads a scale-down the same way, larger ReplicaSets first', () => {
      const d = deployment(10, 3, 2);
      const old = rs('old', 11, { annotations: sized(15, 18) });
      const newRS = rs('new', 7, { available: 0, annotations: sized(15, 18) });
      expect(sizes(planProportionalScale(d, newRS, [old]))).to.deep.equal({ old: 8, new: 5 });
    });

    it('scales old ReplicaSets to 0 once the new one is saturated', () => {
      const d = deployment(3, 1, 1);
      const newRS = rs('new', 3, { annotations: sized(3, 4) });
      expect(isSaturated(d, newRS)).to.equal(true);
      expect(sizes(planProportionalScale(d, newRS, [rs('old', 1)]))).to.deep.equal({ old: 0 });
      expect(isSaturated(d, rs('new', 3, { available: 2, annotations: sized(3, 4) }))).to.equal(false);
    });

    it('is no scaling event when the desired-replicas annotations match or are absent', () => {
      const d = deployment(4, 1, 1);
      expect(isScalingEvent(d, [rs('a', 2, { annotations: sized(4, 5) }), rs('b', 2), undefined])).to.equal(
        false,
      );
      expect(isScalingEvent(d, [rs('a', 0, { annotations: sized(9, 10) })])).to.equal(false);
    });
  });

  describe('revision history cleanup', () => {
    const old = (name: string, revision: number, replicas = 0, pods = 0) =>
      rs(name, replicas, { pods, annotations: { [REVISION_ANNOTATION]: String(revision) } });

    it('deletes the lowest revisions beyond the limit that have nothing left', () => {
      const d = deployment(1, 1, 0, { revisionHistoryLimit: 1 });
      const plan = planCleanup(d, [old('c', 3), old('a', 1), old('b', 2)]);
      expect(plan.map((r) => r.metadata.name)).to.deep.equal(['a', 'b']);
    });

    it('keeps ReplicaSets that still have replicas or pods, and everything without a limit', () => {
      const d = deployment(1, 1, 0, { revisionHistoryLimit: 0 });
      expect(
        planCleanup(d, [old('a', 1, 1, 1), old('b', 2, 0, 1), old('c', 3)]).map((r) => r.metadata.name),
      ).to.deep.equal(['c']);
      expect(planCleanup(deployment(1, 1, 0), [old('a', 1)])).to.deep.equal([]);
    });
  });
});
