import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Node, Taint } from '../../orchestrator/api/types.js';

const NODES = findResource('', 'v1', 'nodes')!;

/** Cordons (true) or uncordons (false) a node, as `kubectl cordon` does: a merge patch of spec.unschedulable. */
export async function setUnschedulable(
  client: ApiClient,
  node: string,
  unschedulable: boolean,
): Promise<void> {
  await client.patch(NODES, '', node, { spec: { unschedulable: unschedulable || null } });
}

/**
 * Changes a node's taints with `change` (read, change, write, again on a conflict), as `kubectl
 * taint` does; nothing is written when the taints come out the same.
 */
export async function changeTaints(
  client: ApiClient,
  node: string,
  change: (taints: Taint[]) => Taint[],
): Promise<void> {
  for (;;) {
    const current = await client.get<Node>(NODES, '', node);
    const before = current.spec?.taints ?? [];
    const after = change(before);
    if (JSON.stringify(after) === JSON.stringify(before)) return;
    try {
      await client.update(NODES, { ...current, spec: { ...current.spec, taints: after } });
      return;
    } catch (e) {
      if ((e as { reason?: string }).reason !== 'Conflict') throw e;
    }
  }
}
