import type { ControllerRevision, Pod, PodTemplateSpec, StatefulSet } from '../api/types.js';
import { canonicalJson, computePodTemplateHash } from './pod-template-hash.js';

/** The label naming the ControllerRevision a pod was made from (apps/v1 ControllerRevisionHashLabelKey). */
export const REVISION_LABEL = 'controller-revision-hash';
/** The label carrying a StatefulSet pod's own name, so a Service can select one identity. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** The label carrying a StatefulSet pod's ordinal. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The first ordinal of `sts` (spec.ordinals.start, 0 by default). */
export function startOrdinal(sts: StatefulSet): number {
  return sts.spec.ordinals?.start ?? 0;
}

/** The name of the pod with `ordinal`: `<set>-<ordinal>`, the identity the set keeps. */
export function podName(sts: StatefulSet, ordinal: number): string {
  return `${sts.metadata.name}-${ordinal}`;
}

/**
 * The ordinal of `pod` when it is a member of `sts` by name (`<set>-<n>`, Kubernetes'
 * getParentNameAndOrdinal), else undefined: only members are claimed.
 */
export function ordinalOf(sts: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${sts.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

/** The revision `pod` was made from, by its label. */
export function podRevision(pod: Pod): string | undefined {
  return pod.metadata.labels?.[REVISION_LABEL];
}

/** The template as a ControllerRevision records it: a patch replacing the set's template. */
export function revisionData(template: PodTemplateSpec): unknown {
  return { spec: { template: { ...template, $patch: 'replace' } } };
}

/** The template a ControllerRevision records. */
export function templateOf(revision: ControllerRevision): PodTemplateSpec | undefined {
  const template = (revision.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec
    ?.template;
  if (!template) return undefined;
  const { $patch: _patch, ...rest } = template;
  return rest as unknown as PodTemplateSpec;
}

/** The name of the revision of `sts`'s current template: `<set>-<hash>`, the hash bumped by collisions. */
export function revisionName(sts: StatefulSet): string {
  return `${sts.metadata.name}-${computePodTemplateHash(sts.spec.template, sts.status?.collisionCount ?? 0)}`;
}

/** Whether `revision` records the same template as `template`. */
export function recordsTemplate(revision: ControllerRevision, template: PodTemplateSpec): boolean {
  return canonicalJson(templateOf(revision)) === canonicalJson(template);
}

/**
 * The pod for `ordinal`, made from `template` of the revision `revision` (Kubernetes'
 * newVersionedStatefulSetPod): its fixed name, hostname and subdomain, and the identity labels.
 */
export function newPod(
  sts: StatefulSet,
  template: PodTemplateSpec,
  revision: string,
  ordinal: number,
  owner: NonNullable<Pod['metadata']['ownerReferences']>[number],
): Pod {
  const name = podName(sts, ordinal);
  const spec = structuredClone(template.spec);
  spec.hostname = name;
  if (sts.spec.serviceName) spec.subdomain = sts.spec.serviceName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: sts.metadata.namespace,
      labels: {
        ...template.metadata?.labels,
        [REVISION_LABEL]: revision,
        [POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(ordinal),
      },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [owner],
    },
    spec,
  };
}
