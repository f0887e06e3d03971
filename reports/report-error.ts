/**
 * The one catalogue of report errors: whatever stops a report from being written reaches the
 * caller as a ReportError with a stable code, so the CLI prints a sentence, never a stack trace.
 */
export type ReportErrorCode =
  /** The path given to render from holds no history.json (itself, beside it, or in run folders below it). */
  | 'NoRunsFound'
  /** A history.json or verdicts.json could not be read or is not JSON. */
  | 'RunFileUnreadable'
  /** A history.json of an apiVersion or kind this crucible does not know. */
  | 'UnsupportedHistory'
  /** verdicts.json is not a list of verdicts. */
  | 'InvalidVerdicts'
  /** A history.json has no verdicts.json beside it: judge it first (`crucible check`). */
  | 'VerdictsNotFound'
  /** A folder given to merge is not the output folder of a run (it has no invocation.json). */
  | 'NotAnOutputFolder'
  /** Folders given to merge ran the same scenario: each scenario belongs to one shard. */
  | 'OverlappingShards';

export class ReportError extends Error {
  constructor(
    readonly code: ReportErrorCode,
    message: string,
    /** The file the error is about, when there is one. */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}
