/**
 * A Deployment's status as Kubernetes' deployment controller computes it (sync.go's
 * calculateStatus, progress.go, the condition helpers of deployment_util.go), as pure functions
 * of the Deployment, its ReplicaSets and the time.
 */
import type { Condition, Deployment, ReplicaSet, WorkloadStatus } from '../api/types.js';
import {
  MAX_INT32,
  maxUnavailable,
  specReplicaCount,
  specReplicas,
  statusCount,
} from './deployment-rollout.js';

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REPLICA_FAILURE = 'ReplicaFailure';

/** The reasons of the Progressing and Available conditions, as kubectl and users know them. */
export const Reason = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ReplicaSetCreateError: 'ReplicaSetCreateError',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export function getCondition(status: WorkloadStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** A condition first seen at `now` (Kubernetes timestamp). */
export function newCondition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: string,
): Condition {
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

/**
 * `status` with `condition` set (Kubernetes' SetDeploymentCondition): unchanged if a condition of
 * that type already has the same status and reason; otherwise it replaces it, keeping its
 * lastTransitionTime when the status is the same, and goes last.
 */
export function setCondition(status: WorkloadStatus, condition: Condition): WorkloadStatus {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return status;
  const next =
    current && current.status === condition.status
      ? { ...condition, lastTransitionTime: current.lastTransitionTime }
      : condition;
  return {
    ...status,
    conditions: [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next],
  };
}

export function removeCondition(status: WorkloadStatus, type: string): WorkloadStatus {
  if (!getCondition(status, type)) return status;
  const conditions = status.conditions!.filter((c) => c.type !== type);
  const { conditions: _old, ...rest } = status;
  return conditions.length ? { ...rest, conditions } : rest;
}

/** Whether the Deployment reports ProgressDeadlineExceeded at all (a deadline set and not "never"). */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== MAX_INT32;
}

/**
 * The counters of a Deployment's status from its ReplicaSets, keeping `base`'s conditions and
 * collisionCount, with the Available condition set (Kubernetes' calculateStatus): available when
 * at least replicas - maxUnavailable pods are.
 */
export function calculateStatus(
  d: Deployment,
  base: WorkloadStatus,
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  now: string,
): WorkloadStatus {
  const available = statusCount(allRSs, 'availableReplicas');
  let status: WorkloadStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: statusCount(allRSs, 'replicas'),
    updatedReplicas: statusCount([newRS], 'replicas'),
    readyReplicas: statusCount(allRSs, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicaCount(allRSs) - available),
  };
  if (base.collisionCount !== undefined) status.collisionCount = base.collisionCount;
  if (base.conditions?.length) status.conditions = [...base.conditions];
  status =
    available >= specReplicas(d) - maxUnavailable(d)
      ? setCondition(
          status,
          newCondition(
            AVAILABLE,
            'True',
            Reason.MinimumReplicasAvailable,
            'Deployment has minimum availability.',
            now,
          ),
        )
      : setCondition(
          status,
          newCondition(
            AVAILABLE,
            'False',
            Reason.MinimumReplicasUnavailable,
            'Deployment does not have minimum availability.',
            now,
          ),
        );
  return status;
}

/**
 * Every replica updated and available, no old one left, and the spec observed (Kubernetes'
 * DeploymentComplete); what `kubectl rollout status` waits for.
 */
export function deploymentComplete(d: Deployment, status: WorkloadStatus): boolean {
  const replicas = specReplicas(d);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/**
 * Whether `next` shows progress over `previous` (Kubernetes' DeploymentProgressing): more updated,
 * ready or available replicas, or fewer old ones.
 */
export function deploymentProgressing(previous: WorkloadStatus, next: WorkloadStatus): boolean {
  const n = (v: number | undefined) => v ?? 0;
  const oldBefore = n(previous.replicas) - n(previous.updatedReplicas);
  const oldNow = n(next.replicas) - n(next.updatedReplicas);
  return (
    n(next.updatedReplicas) > n(previous.updatedReplicas) ||
    oldNow < oldBefore ||
    n(next.readyReplicas) > n(previous.readyReplicas) ||
    n(next.availableReplicas) > n(previous.availableReplicas)
  );
}

/**
 * Whether the rollout made no progress for progressDeadlineSeconds since its Progressing
 * condition was last updated, or already was found so (Kubernetes' DeploymentTimedOut).
 */
export function deploymentTimedOut(d: Deployment, status: WorkloadStatus, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status, PROGRESSING);
  if (!cond) return false;
  if (cond.reason === Reason.NewReplicaSetAvailable) return false;
  if (cond.reason === Reason.ProgressDeadlineExceeded) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + d.spec.progressDeadlineSeconds! * 1000 < now.getTime();
}

/**
 * The status after a rollout step (Kubernetes' syncRolloutStatus): the counters, and, while the
 * latest rollout is not known complete, Progressing set to NewReplicaSetAvailable once complete,
 * ReplicaSetUpdated (with a fresh lastUpdateTime) on progress, or ProgressDeadlineExceeded once
 * the deadline passed without any. `current` is the status as this sync found it.
 */
export function rolloutStatus(
  d: Deployment,
  current: WorkloadStatus,
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  now: Date,
  nowString: string,
): WorkloadStatus {
  let status = calculateStatus(d, current, allRSs, newRS, nowString);
  if (!hasProgressDeadline(d)) status = removeCondition(status, PROGRESSING);

  const currentCond = getCondition(current, PROGRESSING);
  const complete =
    status.replicas === status.updatedReplicas && currentCond?.reason === Reason.NewReplicaSetAvailable;
  const subject = newRS
    ? `ReplicaSet ${JSON.stringify(newRS.metadata.name)}`
    : `Deployment ${JSON.stringify(d.metadata.name)}`;
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      status = setCondition(
        status,
        newCondition(
          PROGRESSING,
          'True',
          Reason.NewReplicaSetAvailable,
          `${subject} has successfully progressed.`,
          nowString,
        ),
      );
    } else if (deploymentProgressing(current, status)) {
      // Progress refreshes lastUpdateTime even with an unchanged reason: the deadline counts from it.
      const cond = newCondition(
        PROGRESSING,
        'True',
        Reason.ReplicaSetUpdated,
        `${subject} is progressing.`,
        nowString,
      );
      if (currentCond?.status === 'True') cond.lastTransitionTime = currentCond.lastTransitionTime;
      status = setCondition(removeCondition(status, PROGRESSING), cond);
    } else if (deploymentTimedOut(d, status, now)) {
      status = setCondition(
        status,
        newCondition(
          PROGRESSING,
          'False',
          Reason.ProgressDeadlineExceeded,
          `${subject} has timed out progressing.`,
          nowString,
        ),
      );
    }
  }

  const failure = replicaFailure(allRSs, newRS);
  return failure ? setCondition(status, failure) : removeCondition(status, REPLICA_FAILURE);
}

/** A ReplicaFailure condition of the new ReplicaSet, else of any ReplicaSet, as a Deployment condition. */
function replicaFailure(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): Condition | undefined {
  const of = (rs: ReplicaSet | undefined) => rs?.status?.conditions?.find((c) => c.type === REPLICA_FAILURE);
  const c = of(newRS) ?? allRSs.map(of).find(Boolean);
  if (!c) return undefined;
  return c.lastTransitionTime ? { ...c, lastUpdateTime: c.lastTransitionTime } : c;
}

/**
 * Milliseconds until the progress deadline of a rollout still in progress should be checked
 * again, plus a second against clock skew (Kubernetes' requeueStuckDeployment); undefined when
 * there is nothing to check.
 */
export function progressRecheckDelay(d: Deployment, status: WorkloadStatus, now: Date): number | undefined {
  const cond = getCondition(status, PROGRESSING);
  if (!hasProgressDeadline(d) || !cond) return undefined;
  if (deploymentComplete(d, status) || cond.reason === Reason.ProgressDeadlineExceeded) return undefined;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  return Math.max(0, from + d.spec.progressDeadlineSeconds! * 1000 - now.getTime()) + 1000;
}

/**
 * `status` with Progressing Unknown/DeploymentPaused when paused and DeploymentResumed when
 * resumed (Kubernetes' checkPausedConditions), so time spent paused never counts against the
 * progress deadline. A ProgressDeadlineExceeded condition is left alone.
 */
export function withPausedCondition(d: Deployment, status: WorkloadStatus, now: string): WorkloadStatus {
  if (!hasProgressDeadline(d)) return status;
  const cond = getCondition(status, PROGRESSING);
  if (cond?.reason === Reason.ProgressDeadlineExceeded) return status;
  const pausedShown = cond?.reason === Reason.DeploymentPaused;
  if (d.spec.paused && !pausedShown) {
    return setCondition(
      status,
      newCondition(PROGRESSING, 'Unknown', Reason.DeploymentPaused, 'Deployment is paused', now),
    );
  }
  if (!d.spec.paused && pausedShown) {
    return setCondition(
      status,
      newCondition(PROGRESSING, 'Unknown', Reason.DeploymentResumed, 'Deployment is resumed', now),
    );
  }
  return status;
}
