/**
 * The one catalogue of load errors: every failure the load part reports to its caller is a
 * LoadError with a stable code, so the runner can map it to an exit code and a person reads a
 * message, never a stack trace.
 */
export type LoadErrorCode =
  /** The load spec (or the flags that make one) is invalid; `problems` lists every issue. */
  | 'InvalidLoadSpec'
  /** The Service a target names does not exist. */
  | 'ServiceNotFound'
  /** The Service has no port matching the one asked for, or several and none was asked for. */
  | 'ServicePortNotFound'
  /** The Service's port has no node port, so it cannot be reached through the workers. */
  | 'ServiceWithoutNodePort'
  /** A load was to go through the Service's load balancer, and it has none that answers. */
  | 'ServiceWithoutLoadBalancer'
  /** A Service target needs a cluster to resolve it against. */
  | 'ServiceTargetNeedsCluster'
  /** The k6 driver was asked for and no k6 was found (K6_BIN, PATH, local grafana/k6 image). */
  | 'K6NotFound'
  /** k6 ran but did not complete a test (an exit code other than 0 or 99). */
  | 'K6Failed'
  /** k6's output files are missing or unreadable. */
  | 'K6OutputInvalid';

export class LoadError extends Error {
  constructor(
    readonly code: LoadErrorCode,
    message: string,
    /** Each problem on its own, for InvalidLoadSpec. */
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = 'LoadError';
  }
}
