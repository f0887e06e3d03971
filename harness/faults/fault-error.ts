/**
 * The one catalogue of errors of faults, each with a stable code and a message meant for a
 * person: what was asked, and what there is to choose from.
 */
export type FaultErrorCode =
  /** No fault of that type; the message lists the types there are. */
  | 'UnknownFault'
  /** The fault's options do not fit its schema; `problems` lists each. */
  | 'InvalidFaultOptions'
  /** A target expression names nothing the fault can act on, or there is nothing to choose from. */
  | 'NoSuchTarget'
  /** The target is `leader` and the component has none (yet). */
  | 'NoLeader'
  /** The cluster's provider cannot do what the fault needs (iptables without a network namespace). */
  | 'FaultUnsupported'
  /** node-drain: pods a PodDisruptionBudget kept on the node until the drain's time ran out. */
  | 'DrainIncomplete'
  /** One or more heals failed; the cluster may still carry the fault. */
  | 'HealFailed';

export class FaultError extends Error {
  constructor(
    readonly code: FaultErrorCode,
    message: string,
    /** Each problem on its own, for InvalidFaultOptions. */
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = 'FaultError';
  }
}
