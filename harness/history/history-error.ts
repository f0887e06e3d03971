/**
 * The one catalogue of errors of reading a stored history (`crucible check history.json`), each
 * with a message meant for a person.
 */
export type HistoryErrorCode =
  /** The text is not JSON. */
  | 'HistoryNotJson'
  /** The apiVersion or kind is not one this crucible reads. */
  | 'UnknownHistoryVersion'
  /** The document is a history of this version but misses or mistypes a part; `problems` lists each. */
  | 'InvalidHistory';

export class HistoryError extends Error {
  constructor(
    readonly code: HistoryErrorCode,
    message: string,
    /** Each problem on its own, for InvalidHistory. */
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = 'HistoryError';
  }
}
