import { apiVersionOf, type ResourceType } from './resources.js';
import type { Condition, KubeObject, ObjectReference, OwnerReference, Pod } from './types.js';

/** The owner reference marked `controller: true`, if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

/**
 * An ObjectReference to `obj` (an Event's involvedObject, a CronJob's active Job): its kind and
 * API version from its resource type `r` when known, else as the object says.
 */
export function objectReference(
  obj: KubeObject,
  r?: Pick<ResourceType, 'group' | 'version' | 'kind'>,
): ObjectReference {
  return {
    kind: r?.kind ?? obj.kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    apiVersion: r ? apiVersionOf(r) : obj.apiVersion,
    resourceVersion: obj.metadata.resourceVersion,
  };
}

/**
 * The reference a controller puts on what it creates or adopts: `owner`, of type `r`, as its
 * controller, blocking the owner's foreground deletion until the dependent is gone.
 */
export function controllerOwnerReference(
  owner: KubeObject,
  r: Pick<ResourceType, 'group' | 'version' | 'kind'>,
): OwnerReference {
  return {
    apiVersion: apiVersionOf(r),
    kind: r.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Running or about to run: not finished and not being deleted (client-go's IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function podCondition(pod: Pod, type: string): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least `minReadySeconds` at `now` (ms since epoch). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
  return since + minReadySeconds * 1000 <= now;
}

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
export function withCondition(
  conditions: Condition[] | undefined,
  next: Condition,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const previous = i >= 0 ? list[i] : undefined;
  const merged: Condition = {
    ...next,
    lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime : now,
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}
