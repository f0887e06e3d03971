import { z } from 'zod';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Deployment } from '../../orchestrator/api/types.js';
import { withAdminClient } from '../cluster/index.js';
import type { FaultPlugin } from './fault.js';
import { selectTargets } from './target-selector.js';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
/**
 * Where inject keeps a Deployment's replicas, on the Deployment itself: a heal after a crash of the
 * harness (the next run's, or `crucible heal`) still finds what to restore.
 */
export const REPLICAS_BEFORE_FAULT = 'crucible.dev/replicas-before-fault';

type Options = { namespace: string; selector?: string };

/**
 * scale-to-zero: Deployments of a namespace scaled to 0 replicas for the fault's time, as an
 * operator's mistake or a bad rollout would; heal scales each back to what it had. Only the API is
 * used, so it works on any cluster.
 */
export const scaleToZeroFault: FaultPlugin<Options> = {
  type: 'scale-to-zero',
  description: 'scale Deployments of a namespace to 0 replicas; heal scales them back to what they had',
  targetDescription:
    'Deployments of the namespace, narrowed by the selector: their names, or random, one, minority, majority, all of them',
  options: z
    .object({
      namespace: z.string().min(1).meta({ description: 'the namespace whose Deployments are scaled' }),
      selector: z
        .string()
        .optional()
        .meta({ description: 'a label selector of the Deployments, e.g. app=echo' }),
    })
    .strict(),
  needs: () => [],
  targets: (ctx, target, { namespace, selector }) =>
    withAdminClient(ctx.cluster, async (client) => {
      const deployments = await client.list<Deployment>(
        DEPLOYMENTS,
        namespace,
        selector ? { labelSelector: selector } : {},
      );
      const names = deployments.items.map((d) => d.metadata.name!);
      return selectTargets(target, names, ctx.random, `Deployments of ${namespace}`);
    }),
  inject: (ctx, names, { namespace }) =>
    withAdminClient(ctx.cluster, async (client) => {
      for (const name of names) {
        const deployment = await client.get<Deployment>(DEPLOYMENTS, namespace, name);
        // Scaled down already by this fault (an inject tried again): its own count is kept.
        const before =
          deployment.metadata.annotations?.[REPLICAS_BEFORE_FAULT] ?? String(deployment.spec?.replicas ?? 1);
        await scale(client, namespace, name, 0, before);
      }
    }),
  heal: (ctx, names, { namespace }) =>
    withAdminClient(ctx.cluster, async (client) => {
      for (const name of names) {
        const deployment = await client.tryGet<Deployment>(DEPLOYMENTS, namespace, name);
        const before = deployment?.metadata.annotations?.[REPLICAS_BEFORE_FAULT];
        if (before === undefined) continue; // never scaled, or healed already
        await scale(client, namespace, name, Number(before), null);
      }
    }),
};

/** Sets the replicas and the annotation together (null removes it), in one merge patch. */
async function scale(
  client: ApiClient,
  namespace: string,
  name: string,
  replicas: number,
  before: string | null,
): Promise<void> {
  await client.patch(DEPLOYMENTS, namespace, name, {
    metadata: { annotations: { [REPLICAS_BEFORE_FAULT]: before } },
    spec: { replicas },
  });
}
