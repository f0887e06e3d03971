import type { z } from 'zod';
import type { ClusterProvider } from '../cluster/cluster-provider.js';
import type { ClusterState } from '../cluster/cluster-state.js';

/**
 * A fault as injected: plain data, written down before the fault acts, so that its heal can run
 * from the record alone — after Ctrl-C, in another process, after a crash.
 */
export interface FaultRecord {
  id: string;
  type: string;
  /** The nodes, members or links it acts on, resolved (a `random` target resolved from the seed). */
  targets: string[];
  /** The fault's options as validated by its schema. */
  options: Record<string, unknown>;
  /** ISO time of the injection. */
  injectedAt: string;
}

/** What a fault acts through. */
export interface FaultContext {
  state: ClusterState;
  provider: ClusterProvider;
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
  /** The fault's own options (zod, strict). `target` is common to all and resolved separately. */
  options: z.ZodType<Options>;
  /** Chooses what the fault acts on, from the target expression. */
  targets(ctx: FaultContext, target: string, options: Options): Promise<string[]>;
  inject(ctx: FaultContext, targets: string[], options: Options): Promise<void>;
  heal(ctx: FaultContext, targets: string[], options: Options): Promise<void>;
}
