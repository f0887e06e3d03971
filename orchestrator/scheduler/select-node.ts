import type { Pod } from '../api/types.js';
import { DEFAULT_FILTERS, type Filter } from './filters.js';
import type { NodeInfo } from './node-info.js';
import { DEFAULT_SCORES, type Score } from './scores.js';

export type Placement = { node: NodeInfo } | { unschedulable: string };

export interface SelectNodeOptions {
  filters?: readonly Filter[];
  scores?: readonly { score: Score; weight: number }[];
  /** Breaks ties between equally scored nodes; injected so runs can be reproduced. */
  random?: () => number;
}

/**
 * One scheduling decision, kube-scheduler's filter → score → select: the feasible node with the
 * highest weighted score, or why none fits, worded as kube-scheduler words it
 * ("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) were not ready.").
 */
export function selectNode(pod: Pod, nodes: Iterable<NodeInfo>, opts: SelectNodeOptions = {}): Placement {
  const filters = opts.filters ?? DEFAULT_FILTERS;
  const scores = opts.scores ?? DEFAULT_SCORES;
  const random = opts.random ?? Math.random;
  const reasons = new Map<string, number>();
  let total = 0;
  let best: NodeInfo[] = [];
  let bestScore = -Infinity;
  for (const info of nodes) {
    total++;
    const reason = firstFailure(pod, info, filters);
    if (reason) {
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      continue;
    }
    const score = scores.reduce((sum, s) => sum + s.weight * s.score(pod, info), 0);
    if (score > bestScore + 1e-9) {
      bestScore = score;
      best = [info];
    } else if (Math.abs(score - bestScore) <= 1e-9) {
      best.push(info);
    }
  }
  if (best.length > 0) return { node: best[Math.floor(random() * best.length)]! };
  const detail = [...reasons.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  return { unschedulable: `0/${total} nodes are available${detail ? `: ${detail}` : ''}.` };
}

function firstFailure(pod: Pod, info: NodeInfo, filters: readonly Filter[]): string | undefined {
  for (const f of filters) {
    const reason = f(pod, info);
    if (reason) return reason;
  }
  return undefined;
}
