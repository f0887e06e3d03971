import { z } from 'zod';
import type { FaultPlugin } from './fault.js';
import { nodesOfRole, selectTargets } from './target-selector.js';

/** node-pause: a worker freezes (docker pause; SIGSTOP of its process tree): connections stall, nothing dies. */
export const nodePauseFault: FaultPlugin = {
  type: 'node-pause',
  description: 'freeze a worker (docker pause, or SIGSTOP of its processes); heal thaws it',
  targetDescription: 'workers: worker-1, worker-2, … (or random, one, minority, majority, all of them)',
  options: z.object({}).strict(),
  needs: () => ['worker-nodes'],
  targets: async (ctx, target) =>
    selectTargets(target, nodesOfRole(ctx.cluster.record, 'worker'), ctx.random, 'workers'),
  async inject(ctx, targets) {
    for (const node of targets) await ctx.cluster.pause(node);
  },
  async heal(ctx, targets) {
    for (const node of targets) await ctx.cluster.unpause(node);
  },
};
