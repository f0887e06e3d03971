import { componentKillFault, componentRestartFault, componentStopFault } from './component-fault.js';
import { controlPlaneOutageFault, etcdQuorumLossFault } from './control-plane-fault.js';
import type { FaultPlugin } from './fault.js';
import { FaultError } from './fault-error.js';
import {
  linkBandwidthFault,
  linkDownFault,
  linkLatencyFault,
  linkResetFault,
  linkTimeoutFault,
} from './link-fault.js';
import { networkPartitionFault, packetLossFault } from './network-faults.js';
import { nodeDrainFault } from './node-drain-fault.js';
import { nodeLossFault } from './node-loss-fault.js';
import { nodePartitionFault } from './node-partition-fault.js';
import { nodePauseFault } from './node-pause-fault.js';
import { nodeTaintFault } from './node-taint-fault.js';
import { podKillFault } from './pod-kill-fault.js';
import { scaleToZeroFault } from './scale-to-zero-fault.js';

/** Every fault crucible can inject, by type. */
export const FAULTS: Readonly<Record<string, FaultPlugin<never>>> = Object.freeze(
  Object.fromEntries(
    [
      nodeLossFault,
      nodePauseFault,
      nodePartitionFault,
      componentKillFault,
      componentStopFault,
      componentRestartFault,
      controlPlaneOutageFault,
      etcdQuorumLossFault,
      linkLatencyFault,
      linkBandwidthFault,
      linkTimeoutFault,
      linkResetFault,
      linkDownFault,
      networkPartitionFault,
      packetLossFault,
      podKillFault,
      nodeDrainFault,
      nodeTaintFault,
      scaleToZeroFault,
    ].map((f) => [f.type, f as unknown as FaultPlugin<never>]),
  ),
);

export function faultOfType(type: string): FaultPlugin<Record<string, unknown>> {
  const fault = Object.hasOwn(FAULTS, type) ? FAULTS[type] : undefined;
  if (!fault)
    throw new FaultError(
      'UnknownFault',
      `unknown fault "${type}"; the faults: ${Object.keys(FAULTS).join(', ')}`,
    );
  return fault as unknown as FaultPlugin<Record<string, unknown>>;
}
