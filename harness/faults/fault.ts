import type { z } from 'zod';
import type { ClusterFeature, RunningCluster } from '../cluster/index.js';

/** What a fault acts through. */
export interface FaultContext {
  cluster: RunningCluster;
  /** The seeded random source every choice of the fault draws from. */
  random: () => number;
}

/**
 * One kind of fault, Jepsen's nemesis: targets, inject, heal. `heal` must be idempotent and safe
 * on a fault whose inject did not finish (it runs in a `finally`, and again after a crash).
 */
export interface FaultPlugin<Options extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  description: string;
  /** What its target expression picks from, in words, for the reference and `fault ls`. */
  targetDescription: string;
  /** The fault's own options (zod, strict, each described). `target` is common to all and resolved separately. */
  options: z.ZodType<Options>;
  /** What the cluster must let crucible do beyond its API for this fault (none: the API is enough). */
  needs(options: Options): ClusterFeature[];
  /**
   * What is wrong with a target expression whatever the cluster, so that a scenario is refused
   * before anything boots; undefined when nothing is. The cluster judges the rest when it runs.
   */
  targetProblem?(target: string, options: Options): string | undefined;
  /** Chooses what the fault acts on, from the target expression. */
  targets(ctx: FaultContext, target: string, options: Options): Promise<string[]>;
  inject(ctx: FaultContext, targets: string[], options: Options): Promise<void>;
  heal(ctx: FaultContext, targets: string[], options: Options): Promise<void>;
}
