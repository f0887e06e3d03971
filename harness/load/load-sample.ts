/**
 * Why a request failed. `http`: the target answered, with a status the request did not expect.
 * The others are the transport failing before an answer: `refused` (nothing listening),
 * `reset` (the peer dropped the connection), `timeout` (no answer within the request's timeout),
 * `dns`, `tls`, and `other` for anything else.
 */
export type LoadErrorKind = 'refused' | 'reset' | 'timeout' | 'http' | 'dns' | 'tls' | 'other';

export const LOAD_ERROR_KINDS: readonly LoadErrorKind[] = Object.freeze([
  'refused',
  'reset',
  'timeout',
  'http',
  'dns',
  'tls',
  'other',
]);

/**
 * `dropped`: the open model scheduled the request but the driver did not send it because its
 * concurrency limit was exhausted (k6's dropped_iterations). A dropped request says nothing
 * about the target; it says the driver could not keep the rate.
 */
export type LoadOutcome = 'ok' | 'failed' | 'dropped';

/**
 * One scheduled request, as both drivers report it. Plain JSON data: the history stores these.
 * Times are milliseconds since the Unix epoch, with sub-millisecond precision.
 */
export interface LoadSample {
  /** When the open model scheduled the request. */
  intendedStartMs: number;
  /**
   * When the driver sent it: after `intendedStartMs` by however late the driver was. A dropped
   * request was never sent; it has its intended start here.
   */
  actualStartMs: number;
  /**
   * From the intended start to the end of the answer (or of the failure), so a target that
   * stalls, or a driver that falls behind, shows as latency and not as missing requests
   * (no coordinated omission). 0 for a dropped request.
   */
  latencyMs: number;
  outcome: LoadOutcome;
  /** The HTTP status; 0 when no answer came. */
  status: number;
  /** Set exactly when `outcome` is `failed`. */
  error?: LoadErrorKind;
  /** The driver's own word for a failure: a Node error code (ECONNREFUSED), a k6 error code (1212). */
  errorCode?: string;
  /** The request's name in the mix. */
  request: string;
  /** The node whose address the request went to (a worker's name), or the target's host:port. */
  node: string;
  /** The pod that answered, when its body said so (the echo workload does). */
  pod?: string;
}
