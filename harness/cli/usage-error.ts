/**
 * The one catalogue of errors of the command line itself, each with a stable code: a flag or
 * argument that cannot be used as given. Printed as one sentence, never with a stack trace.
 */
export type UsageErrorCode =
  /** A flag's value is not of its form (a whole number, a port, one of a list). */
  | 'InvalidFlag'
  /** A path given on the command line does not exist. */
  | 'NoSuchPath'
  /** Nothing to run: no scenario in the paths given, or none with the tags asked for. */
  | 'NoScenarios'
  /** A file named on its own is of another kind than Scenario (a manifest, a cluster spec). */
  | 'NotAScenario'
  /** The scenario asks what the chosen cluster cannot give (a fault it cannot do, a namespace it did not create). */
  | 'ScenarioDoesNotFit'
  /** A command that writes files would overwrite one that exists (`crucible init`). */
  | 'WouldOverwrite';

export class UsageError extends Error {
  constructor(
    readonly code: UsageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
