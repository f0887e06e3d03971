import { objectKey } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { KubeObject, Pod } from '../api/types.js';
import type { ControllerContext } from './controller.js';
import type { Expectations } from './expectations.js';
import { isPodReady } from '../api/pod-helpers.js';

const PODS = findResource('', 'v1', 'pods')!;

/**
 * Deletes the first `count` of an owner's active pods in upstream's ActivePods order, expecting
 * each deletion first so a lagging cache does not delete again; a deletion that failed is taken
 * back from the expectations. A pod already gone is no failure; any other is thrown after all
 * were tried.
 */
export async function deleteActivePods(
  ctx: ControllerContext,
  expectations: Expectations,
  owner: KubeObject,
  active: readonly Pod[],
  count: number,
): Promise<void> {
  const victims = [...active].sort(deletionOrder).slice(0, count);
  const key = objectKey(owner);
  expectations.expectDeletions(key, victims.map(objectKey));
  const results = await Promise.allSettled(
    victims.map((pod) =>
      ctx.client.delete(PODS, pod.metadata.namespace!, pod.metadata.name!, {
        preconditions: { uid: pod.metadata.uid },
      }),
    ),
  );
  results.forEach((r, i) => {
    if (r.status === 'rejected') expectations.deletionObserved(key, objectKey(victims[i]!));
  });
  ctx.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted ${victims.length} pod(s)`);
  const failed = results.find((r) => r.status === 'rejected' && !isApiError(r.reason, 'NotFound'));
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/**
 * Which pods go first when scaling down (Kubernetes' ActivePods ordering): unscheduled before
 * scheduled, pending before running, not ready before ready, more restarts first, newest first.
 */
function deletionOrder(a: Pod, b: Pod): number {
  const rank = (p: Pod) => [
    p.spec.nodeName ? 1 : 0,
    p.status?.phase === 'Pending' ? 0 : p.status?.phase === 'Running' ? 2 : 1,
    isPodReady(p) ? 1 : 0,
  ];
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
  const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
}
