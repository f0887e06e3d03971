/** The toxic registry: every toxic type the bundled server knows, by its API `type`. */
import { bandwidthToxic } from './bandwidth-toxic.js';
import { latencyToxic } from './latency-toxic.js';
import { limitDataToxic } from './limit-data-toxic.js';
import { noopToxic } from './noop-toxic.js';
import { resetPeerToxic } from './reset-peer-toxic.js';
import { slicerToxic } from './slicer-toxic.js';
import { slowCloseToxic } from './slow-close-toxic.js';
import { timeoutToxic } from './timeout-toxic.js';
import type { ToxicDefinition } from './toxic-definition.js';

export type { AttributeGoType, AttributeSpec, ToxicDefinition, ToxicStub } from './toxic-definition.js';
export { noopToxic };

// The types toxiproxy-server 2.12.0 registers (noop included: it is a valid, if useless, type).
const registry: ReadonlyMap<string, ToxicDefinition> = new Map(
  [
    noopToxic,
    latencyToxic,
    bandwidthToxic,
    slowCloseToxic,
    timeoutToxic,
    resetPeerToxic,
    slicerToxic,
    limitDataToxic,
  ].map((t) => [t.type, t]),
);

/** The toxic type named exactly `type` (case matters, as in Toxiproxy), or undefined. */
export function findToxicDefinition(type: string): ToxicDefinition | undefined {
  return registry.get(type);
}
