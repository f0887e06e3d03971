import type { Scenario } from '../scenario/index.js';
import type { RunReporter } from './run-reporter.js';

/** The live progress of each run, one line per event: `» <scenario> <seconds>s <line>`. */
export class ProgressReporter implements RunReporter {
  readonly name = 'progress';
  private started = Date.now();

  constructor(private readonly write: (text: string) => void = (t) => void process.stderr.write(t)) {}

  onScenarioBegin(): void {
    this.started = Date.now();
  }

  onProgress(scenario: Scenario, line: string): void {
    this.write(`» ${scenario.name} ${((Date.now() - this.started) / 1000).toFixed(1)}s ${line}\n`);
  }
}
