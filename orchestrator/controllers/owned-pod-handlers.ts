import { isDeepStrictEqual } from 'node:util';
import { type Informer, type ReconcileLoop, objectKey } from '../api/client/index.js';
import { controllerOf } from '../api/pod-helpers.js';
import type { KubeObject, Pod } from '../api/types.js';
import type { Expectations } from './expectations.js';

/** How a controller that creates pods names a pod's owner and wakes whoever may want the pod. */
export interface PodOwnership {
  /** The key of the pod's controlling owner of this controller's kind, if it has one. */
  ownerKey(pod: Pod): string | undefined;
  /** Enqueues the owner of the pod, or the objects whose selector matches an orphan. */
  enqueueFor(pod: Pod): void;
}

/**
 * The event handlers every controller that creates pods with expectations shares, as upstream's
 * ReplicaSet, StatefulSet and DaemonSet controllers do: an owner's change enqueues it (its
 * deletion forgets its expectations); a pod's creation and the start of its deletion are observed
 * against its owner's expectations, and a pod whose labels or owner changed wakes both the old and
 * the new owner.
 */
export function handleOwnersAndPods<T extends KubeObject>(
  owners: Informer<T>,
  pods: Informer<Pod>,
  loop: ReconcileLoop,
  expectations: Expectations,
  ownership: PodOwnership,
): void {
  owners.addHandlers({
    add: (owner) => loop.enqueue(owner),
    update: (_old, owner) => loop.enqueue(owner),
    delete: (owner) => {
      expectations.forget(objectKey(owner));
      loop.enqueue(owner);
    },
  });
  pods.addHandlers({
    add: (pod) => {
      const owner = ownership.ownerKey(pod);
      if (owner) expectations.creationObserved(owner);
      ownership.enqueueFor(pod);
    },
    update: (old, pod) => {
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
        const owner = ownership.ownerKey(pod);
        if (owner) expectations.deletionObserved(owner, objectKey(pod));
      }
      ownership.enqueueFor(pod);
      if (
        !isDeepStrictEqual(old.metadata.labels, pod.metadata.labels) ||
        controllerOf(old)?.uid !== controllerOf(pod)?.uid
      )
        ownership.enqueueFor(old);
    },
    delete: (pod) => {
      const owner = ownership.ownerKey(pod);
      if (owner) expectations.deletionObserved(owner, objectKey(pod));
      ownership.enqueueFor(pod);
    },
  });
}
