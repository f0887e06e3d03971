import type { Scenario } from '../scenario/index.js';
import type { RunReporter } from './run-reporter.js';

/** The live progress of each run, one line per event: `» <scenario> <seconds>s <line>`. */
export class ProgressReporter implements RunReporter {
  readonly name = 'progress';
  /** Per scenario, when its run began: with `--parallel` several run at once. */
  private readonly started = new Map<Scenario, number>();

  constructor(private readonly write: (text: string) => void = (t) => void process.stderr.write(t)) {}

  onScenarioBegin(scenario: Scenario): void {
    this.started.set(scenario, Date.now());
  }

  onProgress(scenario: Scenario, line: string): void {
    const started = this.started.get(scenario) ?? Date.now();
    this.write(`» ${scenario.name} ${((Date.now() - started) / 1000).toFixed(1)}s ${line}\n`);
  }
}
