import type { ExperimentResult } from '../experiment/index.js';
import type { Scenario } from '../scenario/index.js';

/** What a suite of runs is about to do, for reporters that announce it. */
export interface SuitePlan {
  scenarios: readonly Scenario[];
  provider: string;
  seed: number;
  /** How many times each scenario runs. */
  repeat: number;
}

/** One finished run of a scenario. */
export interface ScenarioRun {
  scenario: Scenario;
  result: ExperimentResult;
}

/**
 * Something that tells people about runs as they happen, as Playwright's reporters do: a live
 * progress line, a verdict table, the HTML report, JUnit. The runner calls the hooks in a fixed
 * order (begin, then per run: scenario-begin, progress…, scenario-end; then end) through a
 * MultiplexReporter, which keeps one reporter's failure from touching the others or the run.
 * Every hook is optional.
 */
export interface RunReporter {
  /** Names the reporter in the message when it fails. */
  readonly name: string;
  onBegin?(plan: SuitePlan): void | Promise<void>;
  onScenarioBegin?(scenario: Scenario): void | Promise<void>;
  /** A line of the run's progress: a phase, a fault, the live line. */
  onProgress?(scenario: Scenario, line: string): void;
  onScenarioEnd?(run: ScenarioRun): void | Promise<void>;
  onEnd?(runs: readonly ScenarioRun[]): void | Promise<void>;
}
