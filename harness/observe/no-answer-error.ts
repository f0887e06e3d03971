/** The apiserver did not answer: refused, reset, or nothing within the deadline. */
export class NoAnswerError extends Error {
  constructor(
    message: string,
    /** The apiserver asked. */
    readonly server: string,
  ) {
    super(message);
    this.name = 'NoAnswerError';
  }
}
