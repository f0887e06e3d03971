import type { ListOptions } from '../orchestrator/api/client/index.js';
import type { KubeList, KubeObject } from '../orchestrator/api/types.js';

/**
 * One page of `objects` as a paging list endpoint serves it, for fake clients: `opts.limit`
 * objects (all without a limit) from the index its continue token names, and a continue token
 * (the next index) while more remain.
 */
export function listPage<T extends KubeObject>(
  objects: readonly T[],
  opts: Pick<ListOptions, 'limit' | 'continue'>,
  resourceVersion: string,
  kind = 'List',
): KubeList<T> {
  const start = Number(opts.continue ?? 0);
  const end = opts.limit ? start + opts.limit : objects.length;
  return {
    apiVersion: 'v1',
    kind,
    metadata: { resourceVersion, ...(end < objects.length ? { continue: String(end) } : {}) },
    items: objects.slice(start, end),
  };
}
