import { controllerOf } from '../api/pod-helpers.js';
import type { Pod } from '../api/types.js';
import { podRequests, type NodeInfo } from './node-info.js';

/** A score from 0 (worst) to 100 (best) of placing the pod on the node. */
export type Score = (pod: Pod, node: NodeInfo) => number;

/**
 * Spreads the pods of one owner (a ReplicaSet) across nodes, as the default topology spread: the
 * fewer of the owner's pods a node already has, the higher it scores.
 */
export const ownerSpread: Score = (pod, info) => {
  const owner = controllerOf(pod)?.uid;
  if (!owner) return 100;
  let siblings = 0;
  for (const p of info.pods.values())
    if (p.metadata.ownerReferences?.some((o) => o.uid === owner)) siblings++;
  return 100 / (1 + siblings);
};

/** LeastAllocated: prefers the node with the most CPU and memory left after placing the pod. */
export const leastAllocated: Score = (pod, info) => {
  const want = podRequests(pod);
  const free = info.allocatable;
  const share = (used: number, cap: number) => (cap > 0 ? Math.max(0, (cap - used) / cap) : 0);
  const cpu = share(info.requested.cpu + want.cpu, free.cpu);
  const memory = share(info.requested.memory + want.memory, free.memory);
  const pods = share(info.requested.pods + 1, free.pods);
  return ((cpu + memory + pods) / 3) * 100;
};

/** Weighted plugins: spreading dominates, least-allocated breaks ties. */
export const DEFAULT_SCORES: readonly { score: Score; weight: number }[] = [
  { score: ownerSpread, weight: 2 },
  { score: leastAllocated, weight: 1 },
];
