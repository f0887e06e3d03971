/**
 * The one catalogue of errors of crucible's library API, each with a stable code: a call given
 * what it cannot use. Errors of the parts below (ClusterError, FaultError, LoadError, ConfigError…)
 * reach the caller as they are, each with its own code.
 */
export type LibraryErrorCode =
  /** An argument is missing, of the wrong type or out of range; the message names it. */
  | 'InvalidArgument'
  /** The cluster was stopped (down) and cannot be used any more. */
  | 'ClusterDown';

export class CrucibleError extends Error {
  constructor(
    readonly code: LibraryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CrucibleError';
  }
}
