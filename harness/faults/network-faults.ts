import { z } from 'zod';
import { nodeNames, type PacketFilter, type RunningCluster } from '../cluster/index.js';
import type { FaultContext, FaultPlugin } from './fault.js';
import { FaultError } from './fault-error.js';
import { selectTargets } from './target-selector.js';

/** The cluster's packet filter, or a FaultUnsupported error naming the fault and the provider. */
function packetFilterOf(cluster: RunningCluster, fault: string): PacketFilter {
  if (!cluster.packetFilter)
    throw new FaultError(
      'FaultUnsupported',
      `${fault} needs packet filtering in each node's own network namespace, which the ${cluster.provider} provider does not have (use the docker provider)`,
    );
  return cluster.packetFilter;
}

/**
 * network-partition: the target nodes cannot exchange packets with the nodes of `from` (default:
 * every other node), both directions; DROP rules in the targets' network namespaces (docker).
 */
export const networkPartitionFault: FaultPlugin<{ from?: string[] }> = {
  type: 'network-partition',
  description: 'drop all packets between the target nodes and others (iptables, docker provider)',
  targetDescription:
    'nodes: worker-1, apiserver-0, etcd-0, … (or random, one, minority, majority, all of them)',
  options: z
    .object({
      // A comma-separated string too, as the command line gives it.
      from: z
        .preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(z.string()).min(1))
        .optional()
        .meta({
          description:
            'the nodes cut off from the targets, a list or comma-separated (default: every other node)',
        }),
    })
    .strict(),
  needs: () => ['packet-filter'],
  async targets(ctx, target) {
    packetFilterOf(ctx.cluster, 'network-partition');
    return selectTargets(target, nodeNames(ctx.cluster.record), ctx.random, 'nodes');
  },
  async inject(ctx, targets, options) {
    const filter = packetFilterOf(ctx.cluster, 'network-partition');
    const others = (options.from ?? nodeNames(ctx.cluster.record)).filter((n) => !targets.includes(n));
    for (const node of targets)
      await filter.drop(
        node,
        others.map((peer) => ({ peer })),
      );
  },
  heal: clearRules,
};

/** packet-loss: each packet into the target nodes dropped with `probability` (docker). */
export const packetLossFault: FaultPlugin<{ probability: number }> = {
  type: 'packet-loss',
  description: 'drop a share of the packets reaching the target nodes (iptables statistic, docker provider)',
  targetDescription:
    'nodes: worker-1, apiserver-0, etcd-0, … (or random, one, minority, majority, all of them)',
  options: z
    .object({
      probability: z
        .number()
        .gt(0)
        .max(1)
        .meta({ description: 'the share of packets dropped, above 0 and at most 1' }),
    })
    .strict(),
  needs: () => ['packet-filter'],
  async targets(ctx, target) {
    packetFilterOf(ctx.cluster, 'packet-loss');
    return selectTargets(target, nodeNames(ctx.cluster.record), ctx.random, 'nodes');
  },
  async inject(ctx, targets, { probability }) {
    const filter = packetFilterOf(ctx.cluster, 'packet-loss');
    for (const node of targets) await filter.drop(node, [{ incomingShare: probability }]);
  },
  heal: clearRules,
};

async function clearRules(ctx: FaultContext, targets: string[]): Promise<void> {
  for (const node of targets) await ctx.cluster.packetFilter?.clear(node);
}
