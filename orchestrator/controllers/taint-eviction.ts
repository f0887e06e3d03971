import { tolerates } from '../api/taints.js';
import type { Pod, Taint } from '../api/types.js';

/**
 * How long until `pod` must be evicted from a node with these NoExecute taints, as the
 * NoExecuteTaintManager decides: undefined when every taint is tolerated for ever; 0 when one
 * is not tolerated at all; otherwise the smallest tolerationSeconds left, counted from when the
 * taint was added.
 */
export function evictionDelayMs(pod: Pod, taints: Taint[], now: number): number | undefined {
  let delay: number | undefined;
  for (const taint of taints) {
    const matching = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint));
    if (matching.length === 0) return 0;
    if (matching.some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null)) continue;
    const seconds = Math.min(...matching.map((t) => Math.max(0, t.tolerationSeconds!)));
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const left = Math.max(0, added + seconds * 1000 - now);
    delay = delay === undefined ? left : Math.min(delay, left);
  }
  return delay;
}
