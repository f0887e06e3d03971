import { expect } from 'chai';
import type { Condition, Deployment, DeploymentSpec, ReplicaSet, WorkloadStatus } from '../api/types.js';
import {
  AVAILABLE,
  PROGRESSING,
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  getCondition,
  newCondition,
  progressRecheckDelay,
  rolloutStatus,
  setCondition,
  withPausedCondition,
} from './deployment-status.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';
const at = (s: string) => new Date(Date.parse(s));

function deployment(replicas: number, spec: Partial<DeploymentSpec> = {}, generation = 2): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', generation },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      progressDeadlineSeconds: 600,
      ...spec,
    },
  };
}

function rs(name: string, replicas: number, ready: number, available = ready): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: { replicas, selector: {} },
    status: { replicas, readyReplicas: ready, availableReplicas: available },
  };
}

const progressing = (reason: string, status: Condition['status'] = 'True', time = T0): WorkloadStatus => ({
  conditions: [{ ...newCondition(PROGRESSING, status, reason, 'm', time) }],
});

describe('deployment status', () => {
  it('adds up the ReplicaSets: all pods, the new ones, ready, available and missing', () => {
    const newRS = rs('new', 2, 1);
    const status = calculateStatus(deployment(4), {}, [rs('old', 3, 3, 2), newRS], newRS, T0);
    const { conditions, ...counts } = status;
    expect(counts).to.deep.equal({
      observedGeneration: 2,
      replicas: 5,
      updatedReplicas: 2,
      readyReplicas: 4,
      availableReplicas: 3,
      unavailableReplicas: 2,
    });
    expect(getCondition(status, AVAILABLE)).to.include({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    expect(conditions).to.have.length(1);
  });

  it('is unavailable below replicas - maxUnavailable, and keeps collisionCount and other conditions', () => {
    const base: WorkloadStatus = { collisionCount: 2, ...progressing('ReplicaSetUpdated') };
    const status = calculateStatus(deployment(4), base, [rs('new', 4, 2)], undefined, T1);
    expect(getCondition(status, AVAILABLE)).to.include({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    expect(status.collisionCount).to.equal(2);
    expect(getCondition(status, PROGRESSING)?.reason).to.equal('ReplicaSetUpdated');
  });

  it('sets a condition only when status or reason change, keeping lastTransitionTime for the same status', () => {
    const s0 = setCondition({}, newCondition(PROGRESSING, 'True', 'A', 'm', T0));
    expect(setCondition(s0, newCondition(PROGRESSING, 'True', 'A', 'other', T1))).to.equal(s0);
    const s1 = setCondition(s0, newCondition(PROGRESSING, 'True', 'B', 'm', T1));
    expect(getCondition(s1, PROGRESSING)).to.include({
      reason: 'B',
      lastTransitionTime: T0,
      lastUpdateTime: T1,
    });
    const s2 = setCondition(s1, newCondition(PROGRESSING, 'False', 'C', 'm', T1));
    expect(getCondition(s2, PROGRESSING)).to.include({ lastTransitionTime: T1 });
  });

  it('is complete when every replica is updated and available and the spec observed', () => {
    const done = { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 };
    expect(deploymentComplete(deployment(3), done)).to.equal(true);
    expect(deploymentComplete(deployment(3), { ...done, observedGeneration: 1 })).to.equal(false);
    expect(deploymentComplete(deployment(3), { ...done, replicas: 4 })).to.equal(false);
    expect(deploymentComplete(deployment(3), { ...done, availableReplicas: 2 })).to.equal(false);
  });

  it('sees progress in more updated, ready or available replicas or fewer old ones', () => {
    const before = { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 };
    expect(deploymentProgressing(before, before)).to.equal(false);
    expect(deploymentProgressing(before, { ...before, updatedReplicas: 2, replicas: 5 })).to.equal(true);
    expect(deploymentProgressing(before, { ...before, replicas: 3 })).to.equal(true);
    expect(deploymentProgressing(before, { ...before, availableReplicas: 4 })).to.equal(true);
  });

  it('reports NewReplicaSetAvailable once the rollout completes', () => {
    const newRS = rs('web-abc', 3, 3);
    const status = rolloutStatus(
      deployment(3),
      progressing('ReplicaSetUpdated'),
      [rs('old', 0, 0), newRS],
      newRS,
      at(T1),
      T1,
    );
    expect(getCondition(status, PROGRESSING)).to.include({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: 'ReplicaSet "web-abc" has successfully progressed.',
    });
  });

  it('refreshes ReplicaSetUpdated on progress, keeping its transition time', () => {
    const newRS = rs('web-abc', 2, 1);
    const current = {
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 3,
      availableReplicas: 3,
      ...progressing('ReplicaSetUpdated'),
    };
    const status = rolloutStatus(deployment(3), current, [rs('old', 2, 2), newRS], newRS, at(T1), T1);
    expect(getCondition(status, PROGRESSING)).to.include({
      reason: 'ReplicaSetUpdated',
      lastUpdateTime: T1,
      lastTransitionTime: T0,
      message: 'ReplicaSet "web-abc" is progressing.',
    });
  });

  it('reports ProgressDeadlineExceeded after progressDeadlineSeconds without progress', () => {
    const d = deployment(3, { progressDeadlineSeconds: 30 });
    const newRS = rs('web-abc', 1, 0);
    const current = {
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 3,
      availableReplicas: 3,
      ...progressing('NewReplicaSetCreated'),
    };
    const all = [rs('old', 3, 3), newRS];
    const early = rolloutStatus(d, current, all, newRS, at('2024-01-01T00:00:20Z'), T1);
    expect(getCondition(early, PROGRESSING)?.reason).to.equal('NewReplicaSetCreated');
    expect(progressRecheckDelay(d, early, at('2024-01-01T00:00:20Z'))).to.equal(11_000);
    const late = rolloutStatus(d, current, all, newRS, at('2024-01-01T00:00:31Z'), T1);
    expect(getCondition(late, PROGRESSING)).to.include({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
    expect(progressRecheckDelay(d, late, at(T1))).to.equal(undefined);
  });

  it('drops Progressing without a deadline and keeps a completed rollout complete on resync', () => {
    const newRS = rs('web-abc', 3, 3);
    const none = rolloutStatus(
      deployment(3, { progressDeadlineSeconds: 2147483647 }),
      progressing('ReplicaSetUpdated'),
      [newRS],
      newRS,
      at(T1),
      T1,
    );
    expect(getCondition(none, PROGRESSING)).to.equal(undefined);
    const done = progressing('NewReplicaSetAvailable');
    const again = rolloutStatus(deployment(3), done, [newRS], newRS, at(T1), T1);
    expect(getCondition(again, PROGRESSING)).to.deep.equal(getCondition(done, PROGRESSING));
  });

  it('shows a pause and a resume as Progressing Unknown, but never over a timeout', () => {
    const paused = withPausedCondition(deployment(1, { paused: true }), progressing('ReplicaSetUpdated'), T1);
    expect(getCondition(paused, PROGRESSING)).to.include({ status: 'Unknown', reason: 'DeploymentPaused' });
    const resumed = withPausedCondition(deployment(1), paused, T1);
    expect(getCondition(resumed, PROGRESSING)).to.include({ status: 'Unknown', reason: 'DeploymentResumed' });
    const timedOut = progressing('ProgressDeadlineExceeded', 'False');
    expect(withPausedCondition(deployment(1, { paused: true }), timedOut, T1)).to.equal(timedOut);
  });
});
