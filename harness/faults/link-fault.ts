import type { ICreateToxicBody } from 'toxiproxy-node-client';
import { z } from 'zod';
import type { ClusterRecord } from '../cluster/index.js';
import type { FaultPlugin } from './fault.js';
import { setLinksEnabled, toxiproxyOf } from './link-control.js';
import { selectTargets } from './target-selector.js';

/** Links by name, every link from a node (`worker-2`), or random/one/minority/majority/all of all links. */
function linkTargets(record: ClusterRecord, target: string, random: () => number): string[] {
  const fromNode = record.links.filter((l) => l.from === target).map((l) => l.name);
  if (fromNode.length) return fromNode;
  return selectTargets(
    target,
    record.links.map((l) => l.name),
    random,
    'links',
  );
}

const stream = z
  .enum(['upstream', 'downstream'])
  .default('downstream')
  .meta({ description: 'the direction it acts on: downstream (towards the client) or upstream' });

const linkTargetDescription =
  "links: a link's name (worker-1-to-apiserver-0, apiserver-0-to-etcd-2, …), a node's name for every link from it, or random, one, minority, majority, all of the links";

/** A fault that adds one Toxiproxy toxic to each target link; heal removes it. */
function toxicFault<O extends Record<string, unknown> & { stream: 'upstream' | 'downstream' }>(
  type: string,
  description: string,
  options: z.ZodType<O>,
  toxic: (o: O) => Pick<ICreateToxicBody<unknown>, 'type' | 'attributes'>,
): FaultPlugin<O> {
  const name = `crucible-${type}`;
  return {
    type,
    description,
    targetDescription: linkTargetDescription,
    options,
    needs: () => ['control-plane-links'],
    targets: async (ctx, target) => linkTargets(ctx.cluster.record, target, ctx.random),
    async inject(ctx, links, o) {
      const toxiproxy = toxiproxyOf(ctx.cluster.record);
      for (const link of links) {
        const proxy = await toxiproxy.get(link);
        await proxy.addToxic({
          ...toxic(o),
          name,
          stream: o.stream,
          toxicity: 1,
        } as ICreateToxicBody<unknown>);
      }
    },
    async heal(ctx, links) {
      const toxiproxy = toxiproxyOf(ctx.cluster.record);
      for (const link of links) {
        const proxy = await toxiproxy.get(link);
        await proxy
          .getToxic(name)
          .then((t) => t.remove())
          .catch(() => undefined); // already gone
      }
    },
  };
}

export const linkLatencyFault = toxicFault(
  'link-latency',
  'add latency (and jitter) to links',
  z
    .object({
      latencyMs: z.number().int().min(0).meta({ description: 'the delay added, in milliseconds' }),
      jitterMs: z
        .number()
        .int()
        .min(0)
        .default(0)
        .meta({ description: 'up to this much more or less, in milliseconds' }),
      stream,
    })
    .strict(),
  (o) => ({ type: 'latency' as never, attributes: { latency: o.latencyMs, jitter: o.jitterMs } }),
);

export const linkBandwidthFault = toxicFault(
  'link-bandwidth',
  'limit links to a rate in KB/s',
  z
    .object({ rateKBps: z.number().int().min(0).meta({ description: 'the rate allowed, in KB/s' }), stream })
    .strict(),
  (o) => ({ type: 'bandwidth' as never, attributes: { rate: o.rateKBps } }),
);

export const linkTimeoutFault = toxicFault(
  'link-timeout',
  'stop all data on links, closing them after timeoutMs (0: never)',
  z
    .object({
      timeoutMs: z
        .number()
        .int()
        .min(0)
        .default(0)
        .meta({ description: 'close the connection after this many milliseconds (0: never)' }),
      stream,
    })
    .strict(),
  (o) => ({ type: 'timeout' as never, attributes: { timeout: o.timeoutMs } }),
);

export const linkResetFault = toxicFault(
  'link-reset',
  'reset connections on links (TCP RST) after timeoutMs',
  z
    .object({
      timeoutMs: z
        .number()
        .int()
        .min(0)
        .default(0)
        .meta({ description: 'reset after this many milliseconds' }),
      stream,
    })
    .strict(),
  (o) => ({ type: 'reset_peer' as never, attributes: { timeout: o.timeoutMs } }),
);

/** link-down: the links' proxies disabled (connections closed, new ones refused); heal enables them. */
export const linkDownFault: FaultPlugin = {
  type: 'link-down',
  description: 'take links down (connections closed, new ones refused)',
  targetDescription: linkTargetDescription,
  options: z.object({}).strict(),
  needs: () => ['control-plane-links'],
  targets: async (ctx, target) => linkTargets(ctx.cluster.record, target, ctx.random),
  inject: (ctx, links) => setLinksEnabled(ctx.cluster.record, links, false),
  heal: (ctx, links) => setLinksEnabled(ctx.cluster.record, links, true),
};
