import { isDeepStrictEqual } from 'node:util';
import { errors } from '../api/errors.js';
import type { ResourceType } from '../api/resources.js';
import type { Job, KubeObject, Pod } from '../api/types.js';

/**
 * Per-kind rules the generic store applies around a write, after Kubernetes' registry
 * strategies: what a create resets, what an update may change, and which part of the object a
 * subresource owns.
 */
export interface WriteContext {
  resource: ResourceType;
  /** '' for the main resource, 'status' for the status subresource. */
  subresource: string;
}

const statusOnCreate: Record<string, (obj: KubeObject) => unknown> = {
  Pod: () => ({ phase: 'Pending', qosClass: 'BestEffort' }),
  Deployment: () => ({}),
  ReplicaSet: () => ({}),
  StatefulSet: () => ({ replicas: 0, availableReplicas: 0 }),
  DaemonSet: () => ({
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  }),
  Service: () => ({ loadBalancer: {} }),
  ResourceQuota: () => ({}),
  // policy/v1 renders these four without omitempty: a new budget reads as allowing nothing yet.
  PodDisruptionBudget: () => ({
    disruptionsAllowed: 0,
    currentHealthy: 0,
    desiredHealthy: 0,
    expectedPods: 0,
  }),
  Namespace: () => ({ phase: 'Active' }),
  Job: () => ({}),
  CronJob: () => ({}),
  HorizontalPodAutoscaler: () => ({ desiredReplicas: 0 }),
};

/** The labels that tie a Job's pods to it, as kube-apiserver's Job strategy generates them. */
const JOB_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

/**
 * Resets what a client may not set on create: status, for kinds whose status a controller owns.
 * A Job without `manualSelector` gets its selector generated from its uid, and its template the
 * matching labels (the legacy `controller-uid` and `job-name` too), so no other Job's pods match.
 */
export function prepareForCreate(obj: KubeObject): KubeObject {
  const reset = statusOnCreate[obj.kind];
  const created = reset ? { ...obj, status: reset(obj) } : obj;
  return created.kind === 'Job' ? withGeneratedJobSelector(created as Job) : created;
}

function withGeneratedJobSelector(job: Job): Job {
  if (job.spec.manualSelector) return job;
  const uid = job.metadata.uid!;
  const name = job.metadata.name!;
  const labels = { [JOB_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, 'controller-uid': uid, 'job-name': name };
  const template = job.spec.template;
  return {
    ...job,
    spec: {
      ...job.spec,
      selector: { matchLabels: { [JOB_UID_LABEL]: uid } },
      template: {
        ...template,
        metadata: { ...template.metadata, labels: { ...template.metadata?.labels, ...labels } },
      },
    },
  };
}

/**
 * Merges an update into the live object: the main resource cannot change status where a status
 * subresource exists, and the status subresource can change nothing but status.
 */
export function prepareForUpdate(ctx: WriteContext, next: KubeObject, live: KubeObject): KubeObject {
  const hasStatus = ctx.resource.subresources.includes('status');
  // A binding writes spec.nodeName and the PodScheduled condition together.
  if (ctx.subresource === 'binding') return next;
  if (ctx.subresource === 'status') {
    return {
      ...live,
      metadata: { ...live.metadata, resourceVersion: next.metadata.resourceVersion },
      status: next.status,
    };
  }
  if (hasStatus) {
    const merged: KubeObject = { ...next };
    if (live.status === undefined) delete merged.status;
    else merged.status = live.status;
    return merged;
  }
  return next;
}

const podMutableSpecFields =
  'spec.containers[*].image, spec.initContainers[*].image, spec.activeDeadlineSeconds, spec.tolerations (only additions to existing tolerations), spec.terminationGracePeriodSeconds';

/** Refuses changes Kubernetes refuses: immutable selectors, most of a pod's spec, identity fields. */
export function validateUpdate(ctx: WriteContext, next: KubeObject, live: KubeObject): void {
  const { kind } = live;
  const name = live.metadata.name ?? '';
  const group = ctx.resource.group;
  if (next.metadata.uid && next.metadata.uid !== live.metadata.uid) {
    throw errors.conflict(
      ctx.resource.resource,
      group,
      name,
      `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${live.metadata.uid}`,
    );
  }
  if (ctx.subresource === 'status' || ctx.subresource === 'binding') return;
  if (
    (kind === 'Deployment' || kind === 'ReplicaSet' || kind === 'DaemonSet' || kind === 'Job') &&
    !isDeepStrictEqual(specOf(next).selector, specOf(live).selector)
  ) {
    throw errors.invalid(kind, group, name, [
      {
        field: 'spec.selector',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(specOf(next).selector)}: field is immutable`,
      },
    ]);
  }
  if (kind === 'Pod') validatePodSpecUpdate(next as Pod, live as Pod, group);
  if (kind === 'StatefulSet') validateStatefulSetSpecUpdate(next, live, group);
  if (kind === 'Secret' || kind === 'ConfigMap') validateImmutableData(next, live, group);
}

/** Kubernetes' ValidateSecretUpdate / ValidateConfigMapUpdate: immutable data, and a Secret's type. */
function validateImmutableData(next: KubeObject, live: KubeObject, group: string): void {
  const causes: { field: string; reason: string; message: string }[] = [];
  if (live.kind === 'Secret' && (next['type'] ?? 'Opaque') !== (live['type'] ?? 'Opaque')) {
    causes.push({
      field: 'type',
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(next['type'])}: field is immutable`,
    });
  }
  if (live['immutable'] === true) {
    if (next['immutable'] !== true)
      causes.push({
        field: 'immutable',
        reason: 'FieldValueForbidden',
        message: 'Forbidden: field is immutable when `immutable` is set',
      });
    for (const field of ['data', 'binaryData']) {
      if (!isDeepStrictEqual(next[field] ?? {}, live[field] ?? {}))
        causes.push({
          field,
          reason: 'FieldValueForbidden',
          message: 'Forbidden: field is immutable when `immutable` is set',
        });
    }
  }
  if (causes.length) throw errors.invalid(live.kind, group, live.metadata.name ?? '', causes);
}

/** Upstream's ValidateStatefulSetUpdate: the spec is fixed but for the fields it lists. */
const statefulSetMutableFields = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
] as const;

function validateStatefulSetSpecUpdate(next: KubeObject, live: KubeObject, group: string): void {
  const strip = (obj: KubeObject) => {
    const spec = { ...specOf(obj) };
    for (const field of statefulSetMutableFields) delete spec[field];
    return spec;
  };
  if (!isDeepStrictEqual(strip(next), strip(live))) {
    throw errors.invalid('StatefulSet', group, live.metadata.name ?? '', [
      {
        field: 'spec',
        reason: 'FieldValueForbidden',
        message:
          "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      },
    ]);
  }
}

function validatePodSpecUpdate(next: Pod, live: Pod, group: string): void {
  const strip = (pod: Pod) => ({
    ...pod.spec,
    containers: pod.spec.containers?.map((c) => ({ ...c, image: undefined })),
    initContainers: pod.spec.initContainers?.map((c) => ({ ...c, image: undefined })),
    activeDeadlineSeconds: undefined,
    terminationGracePeriodSeconds: undefined,
    tolerations: undefined,
  });
  const liveTolerations = live.spec.tolerations ?? [];
  const keepsTolerations = liveTolerations.every((t) =>
    (next.spec.tolerations ?? []).some((n) => isDeepStrictEqual(n, t)),
  );
  if (!isDeepStrictEqual(strip(next), strip(live)) || !keepsTolerations) {
    throw errors.invalid('Pod', group, live.metadata.name ?? '', [
      {
        field: 'spec',
        reason: 'FieldValueForbidden',
        message: `Forbidden: pod updates may not change fields other than ${podMutableSpecFields}`,
      },
    ]);
  }
}

function specOf(obj: KubeObject): Record<string, unknown> {
  return (obj.spec ?? {}) as Record<string, unknown>;
}
