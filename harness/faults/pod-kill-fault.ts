import { z } from 'zod';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Pod } from '../../orchestrator/api/types.js';
import { withAdminClient } from '../cluster/index.js';
import { PROBE_POD_LABEL } from '../observe/in-pod-probes.js';
import type { FaultPlugin } from './fault.js';
import { selectTargets } from './target-selector.js';

const PODS = findResource('', 'v1', 'pods')!;
/** Deletions sent at once. */
const DELETES_IN_FLIGHT = 32;

/**
 * pod-kill: pods of one namespace deleted at once (grace period 0), as a tenant's own failure
 * would be; their controllers replace them. Targets are pod names of the namespace (or random,
 * one, minority, majority, all of them, optionally narrowed by a label selector), never the
 * harness's own isolation probe pods. Heal has nothing
 * to undo: replacing the pods is the cluster's job, which the checks judge.
 */
export const podKillFault: FaultPlugin<{ namespace: string; selector?: string }> = {
  type: 'pod-kill',
  description: "delete pods of a namespace at once (a tenant's own failure); their controllers replace them",
  targetDescription:
    'pods of the namespace, narrowed by the selector: their names, or random, one, minority, majority, all of them',
  options: z
    .object({
      namespace: z.string().min(1).meta({ description: 'the namespace whose pods are deleted' }),
      selector: z.string().optional().meta({ description: 'a label selector, e.g. app=echo' }),
    })
    .strict(),
  needs: () => [],
  targets: (ctx, target, { namespace, selector }) =>
    withAdminClient(ctx.cluster, async (client) => {
      const pods = await client.list<Pod>(PODS, namespace, selector ? { labelSelector: selector } : {});
      const names = pods.items
        // The harness's own probe pods are not the tenant's: killing them would only lose a probe.
        .filter((p) => !p.metadata.deletionTimestamp && !p.metadata.labels?.[PROBE_POD_LABEL])
        .map((p) => p.metadata.name!);
      return selectTargets(target, names, ctx.random, `pods of ${namespace}`);
    }),
  inject: (ctx, targets, { namespace }) =>
    withAdminClient(ctx.cluster, async (client) => {
      // At once, as promised: one by one, deleting 500 pods of a large cluster took 18 s.
      let next = 0;
      const deleter = async () => {
        for (let i = next++; i < targets.length; i = next++)
          await client
            .delete(PODS, namespace, targets[i]!, { gracePeriodSeconds: 0 })
            .catch((e: { reason?: string }) => {
              if (e.reason !== 'NotFound') throw e;
            });
      };
      const deleters = Array.from({ length: Math.min(DELETES_IN_FLIGHT, targets.length) }, deleter);
      const failed = (await Promise.allSettled(deleters)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }),
  heal: async () => undefined,
};
