import { z } from 'zod';
import type { FaultContext, FaultPlugin } from './fault.js';
import { addDropRules, removeCrucibleRules, requireDocker } from './netns-iptables.js';
import { selectTargets } from './target-selector.js';

const allNodes = (nodes: { node: string }[]) => [...new Set(nodes.map((m) => m.node))];

/**
 * network-partition: the target nodes cannot exchange packets with the nodes of `from` (default:
 * every other node), both directions; DROP rules in the targets' network namespaces (docker).
 */
export const networkPartitionFault: FaultPlugin<{ from?: string[] }> = {
  type: 'network-partition',
  description: 'drop all packets between the target nodes and others (iptables, docker provider)',
  options: z
    .object({
      // A comma-separated string too, as the command line gives it.
      from: z
        .preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(z.string()).min(1))
        .optional(),
    })
    .strict(),
  async targets(ctx, target) {
    requireDocker(ctx.state, 'network-partition');
    return selectTargets(target, allNodes(ctx.state.members), ctx.random, 'nodes');
  },
  async inject(ctx, targets, options) {
    const others = (options.from ?? allNodes(ctx.state.members)).filter((n) => !targets.includes(n));
    const ips = others.map((n) => {
      const ip = ctx.state.handles[n]?.ip;
      if (!ip) throw new Error(`network-partition: no address known for "${n}"`);
      return ip;
    });
    for (const node of targets)
      await addDropRules(
        ctx.state,
        node,
        ips.flatMap((ip) => [
          { chain: 'INPUT' as const, match: ['-s', ip] },
          { chain: 'OUTPUT' as const, match: ['-d', ip] },
        ]),
      );
  },
  heal: removeRulesFrom,
};

/** packet-loss: each packet into the target nodes dropped with `probability` (docker). */
export const packetLossFault: FaultPlugin<{ probability: number }> = {
  type: 'packet-loss',
  description: 'drop a share of the packets reaching the target nodes (iptables statistic, docker provider)',
  options: z.object({ probability: z.number().gt(0).max(1) }).strict(),
  async targets(ctx, target) {
    requireDocker(ctx.state, 'packet-loss');
    return selectTargets(target, allNodes(ctx.state.members), ctx.random, 'nodes');
  },
  async inject(ctx, targets, { probability }) {
    for (const node of targets)
      await addDropRules(ctx.state, node, [
        {
          chain: 'INPUT',
          match: ['-m', 'statistic', '--mode', 'random', '--probability', String(probability)],
        },
      ]);
  },
  heal: removeRulesFrom,
};

async function removeRulesFrom(ctx: FaultContext, targets: string[]): Promise<void> {
  for (const node of targets) await removeCrucibleRules(ctx.state, node);
}
