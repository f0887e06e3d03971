import { z } from 'zod';
import type { FaultPlugin } from './fault.js';
import { linksFrom, setLinksEnabled } from './link-control.js';
import { nodesOfRole, selectTargets } from './target-selector.js';

/**
 * node-partition: cuts a worker off. `control-plane` (default) disables its Toxiproxy links, so
 * its lease stops but its pods keep serving through its kube-proxy; `full` disconnects it from
 * the cluster network (docker provider).
 */
export const nodePartitionFault: FaultPlugin<{ from: 'control-plane' | 'everything' }> = {
  type: 'node-partition',
  description:
    'cut a worker from the control plane (its Toxiproxy links) or from everything (network disconnect)',
  targetDescription: 'workers: worker-1, worker-2, … (or random, one, minority, majority, all of them)',
  options: z
    .object({
      from: z.enum(['control-plane', 'everything']).default('control-plane').meta({
        description:
          "control-plane: its Toxiproxy links are disabled, so its Lease stops while its pods keep serving; everything: it is disconnected from the cluster's network (docker provider)",
      }),
    })
    .strict(),
  needs: ({ from }) => [from === 'everything' ? 'worker-nodes' : 'control-plane-links'],
  targets: async (ctx, target) =>
    selectTargets(target, nodesOfRole(ctx.cluster.record, 'worker'), ctx.random, 'workers'),
  async inject(ctx, targets, options) {
    for (const node of targets)
      if (options.from === 'everything') await ctx.cluster.disconnect(node);
      else await setLinksEnabled(ctx.cluster.record, linksFrom(ctx.cluster.record, node), false);
  },
  async heal(ctx, targets, options) {
    for (const node of targets)
      if (options.from === 'everything') await ctx.cluster.connect(node);
      else await setLinksEnabled(ctx.cluster.record, linksFrom(ctx.cluster.record, node), true);
  },
};
