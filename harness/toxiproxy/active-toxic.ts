import type { ToxicDefinition } from './toxics/index.js';

/** upstream: client → server; downstream: server → client. */
export type StreamDirection = 'upstream' | 'downstream';

/**
 * A toxic as configured on a proxy (Toxiproxy's ToxicWrapper). Immutable: an update replaces it,
 * and the links running it restart with the new one.
 */
export interface ActiveToxic {
  readonly name: string;
  readonly type: string;
  /** The `stream` field as the client spelled it: matched case-insensitively, echoed as given. */
  readonly stream: string;
  readonly direction: StreamDirection;
  /** Probability that the toxic applies to a connection; a float32, as Go stores it. Not range-checked. */
  readonly toxicity: number;
  /** Attribute values in the definition's order; Go integers, kept exact to be echoed exactly. */
  readonly attributes: ReadonlyMap<string, bigint>;
  readonly definition: ToxicDefinition;
}

/** The attributes as numbers, for the toxic's `pipe`. */
export function attributeNumbers(toxic: ActiveToxic): Record<string, number> {
  return Object.fromEntries([...toxic.attributes].map(([name, value]) => [name, Number(value)]));
}
