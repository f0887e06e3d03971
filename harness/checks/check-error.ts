/**
 * The one catalogue of errors a checker raises. `judge` turns each into an `unknown` verdict
 * whose evidence is the message, so a person reads why a check could not be judged and never a
 * stack trace.
 */
export type CheckErrorCode =
  /** The check's thresholds or select are invalid; `problems` lists every issue. */
  | 'InvalidCheckSpec'
  /** No checker exists for the check's type. */
  | 'UnknownCheckType'
  /** The window is not one of the known forms. */
  | 'InvalidWindow'
  /** The window names a fault (or needs one) that the history does not hold. */
  | 'FaultNotFound'
  /** The window resolves to an end before its start. */
  | 'EmptyWindow';

export class CheckError extends Error {
  constructor(
    readonly code: CheckErrorCode,
    message: string,
    /** Each problem on its own, for InvalidCheckSpec. */
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CheckError';
  }
}
