import { isPodReady } from '../../orchestrator/api/pod-helpers.js';
import type { Pod } from '../../orchestrator/api/types.js';
import type { HistoryEvent } from '../history/history.js';

export type PodEvent = Extract<HistoryEvent, { type: 'pod' }>;

/** What the history follows of a pod, as one sample of the API shows it. */
export interface PodView {
  namespace: string;
  name: string;
  uid: string;
  node?: string;
  ready: boolean;
  /** All containers' restart counts together. */
  restarts: number;
}

export function podViewOf(pod: Pod): PodView {
  const node = pod.spec.nodeName;
  return {
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`,
    ...(node ? { node } : {}),
    ready: isPodReady(pod),
    restarts: (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
  };
}

/**
 * The pod events between two samples (pods by uid), all at `t`: a new pod is `created`, then
 * `scheduled` and `ready` if it already is; a known pod can become `scheduled`, `ready`,
 * `not-ready` or `restarted` (its restart counts grew); a pod gone from the sample is `deleted`.
 * A pod recreated under the same name has a new uid: the old one is deleted, the new one created.
 */
export function podChanges(
  before: ReadonlyMap<string, PodView>,
  after: ReadonlyMap<string, PodView>,
  t: number,
): PodEvent[] {
  const events: PodEvent[] = [];
  const event = (pod: PodView, change: PodEvent['change']): PodEvent => ({
    t,
    type: 'pod',
    namespace: pod.namespace,
    name: pod.name,
    ...(pod.node ? { node: pod.node } : {}),
    change,
  });
  for (const pod of byName(before.values())) {
    if (!after.has(pod.uid)) events.push(event(pod, 'deleted'));
  }
  for (const pod of byName(after.values())) {
    const previous = before.get(pod.uid);
    if (!previous) events.push(event(pod, 'created'));
    if (pod.node && !previous?.node) events.push(event(pod, 'scheduled'));
    if (pod.ready && !previous?.ready) events.push(event(pod, 'ready'));
    if (!pod.ready && previous?.ready) events.push(event(pod, 'not-ready'));
    if (previous && pod.restarts > previous.restarts) events.push(event(pod, 'restarted'));
  }
  return events;
}

function byName(pods: Iterable<PodView>): PodView[] {
  return [...pods].sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.uid.localeCompare(b.uid),
  );
}
