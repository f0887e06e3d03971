import { z } from 'zod';
import type { Taint } from '../../orchestrator/api/types.js';
import { withAdminClient } from '../cluster/index.js';
import type { FaultPlugin } from './fault.js';
import { changeTaints } from './node-api.js';
import { nodesOfRole, selectTargets } from './target-selector.js';

type Options = {
  key: string;
  value?: string;
  effect: 'NoExecute' | 'NoSchedule';
};

/**
 * node-taint: a taint put on workers, NoExecute by default, so that the node lifecycle evicts the
 * pods that do not tolerate it (after their tolerationSeconds) as it would for a node going
 * unreachable. Heal removes the taint (same key and effect).
 */
export const nodeTaintFault: FaultPlugin<Options> = {
  type: 'node-taint',
  description: 'taint workers (NoExecute: pods that do not tolerate it are evicted); heal removes the taint',
  targetDescription: 'workers: worker-1, worker-2, … (or random, one, minority, majority, all of them)',
  options: z
    .object({
      key: z.string().min(1).default('crucible.dev/fault').meta({ description: "the taint's key" }),
      value: z.string().optional().meta({ description: "the taint's value" }),
      effect: z
        .enum(['NoExecute', 'NoSchedule'])
        .default('NoExecute')
        .meta({ description: "the taint's effect" }),
    })
    .strict(),
  needs: () => [],
  targets: async (ctx, target) =>
    selectTargets(target, nodesOfRole(ctx.cluster.record, 'worker'), ctx.random, 'workers'),
  inject: (ctx, nodes, options) =>
    withAdminClient(ctx.cluster, async (client) => {
      const taint: Taint = {
        key: options.key,
        ...(options.value === undefined ? {} : { value: options.value }),
        effect: options.effect,
        timeAdded: new Date().toISOString(),
      };
      for (const node of nodes)
        await changeTaints(client, node, (taints) => [...taints.filter((t) => !same(t, options)), taint]);
    }),
  heal: (ctx, nodes, options) =>
    withAdminClient(ctx.cluster, async (client) => {
      for (const node of nodes)
        await changeTaints(client, node, (taints) => taints.filter((t) => !same(t, options)));
    }),
};

function same(t: Taint, o: Options): boolean {
  return t.key === o.key && t.effect === o.effect;
}
