import { z } from 'zod';
import type { FaultPlugin } from './fault.js';
import { nodesOfRole, selectTargets } from './target-selector.js';

const CONTROL_PLANE = ['etcd', 'apiserver', 'scheduler', 'controller-manager'];

/**
 * control-plane-outage: every etcd member, apiserver, scheduler and controller-manager killed at
 * once; the workers and their pods stay. Heal starts them all (each retries until the others answer).
 */
export const controlPlaneOutageFault: FaultPlugin = {
  type: 'control-plane-outage',
  description: 'kill the whole control plane at once; heal starts it again',
  targetDescription:
    'every etcd member, apiserver, scheduler and controller-manager (its target is not used)',
  options: z.object({}).strict(),
  needs: () => ['control-plane-components'],
  targets: async (ctx) => CONTROL_PLANE.flatMap((role) => nodesOfRole(ctx.cluster.record, role)),
  async inject(ctx, targets) {
    await Promise.all(targets.map((node) => ctx.cluster.kill(node)));
  },
  async heal(ctx, targets) {
    await Promise.all(targets.map((node) => ctx.cluster.start(node)));
  },
};

/** etcd-quorum-loss: a majority of the etcd members killed, so writes fail; heal starts them. */
export const etcdQuorumLossFault: FaultPlugin = {
  type: 'etcd-quorum-loss',
  description: 'kill a majority of the etcd members; heal starts them again',
  targetDescription: 'a majority of the etcd members, drawn from the seed (its target is not used)',
  options: z.object({}).strict(),
  needs: () => ['control-plane-components'],
  targets: async (ctx) =>
    selectTargets('majority', nodesOfRole(ctx.cluster.record, 'etcd'), ctx.random, 'etcd members'),
  inject: controlPlaneOutageFault.inject,
  heal: controlPlaneOutageFault.heal,
};
