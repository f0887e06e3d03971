import { z } from 'zod';
import type { FaultPlugin } from './fault.js';
import { nodesOfRole, selectTargets } from './target-selector.js';
import { sleep } from '../support/index.js';

/** node-loss: a worker dies with its pods (container killed, or its process tree SIGKILLed); heal starts it again. */
export const nodeLossFault: FaultPlugin<{ restartAfterMs?: number }> = {
  type: 'node-loss',
  description: 'kill a worker (container or process tree); heal starts it again',
  targetDescription: 'workers: worker-1, worker-2, … (or random, one, minority, majority, all of them)',
  options: z
    .object({
      restartAfterMs: z.number().int().min(0).optional().meta({
        description: 'start the worker again this many milliseconds after the kill, before the heal',
      }),
    })
    .strict(),
  needs: () => ['worker-nodes'],
  targets: async (ctx, target) =>
    selectTargets(target, nodesOfRole(ctx.cluster.record, 'worker'), ctx.random, 'workers'),
  async inject(ctx, targets, options) {
    for (const node of targets) await ctx.cluster.kill(node);
    if (options.restartAfterMs !== undefined) {
      await sleep(options.restartAfterMs);
      for (const node of targets) await ctx.cluster.start(node);
    }
  },
  async heal(ctx, targets) {
    for (const node of targets) await ctx.cluster.start(node);
  },
};
