import type { RunReporter, ScenarioRun, SuitePlan } from './run-reporter.js';
import type { Scenario } from '../scenario/index.js';

/** A reporter that threw: which, in which hook, and what it said. */
export interface ReporterFailure {
  reporter: string;
  hook: string;
  message: string;
}

/**
 * Hands every event to each reporter in turn, as Playwright's multiplexer does. A reporter that
 * throws is reported through `onFailure` and kept out of nothing else: the other reporters still
 * get the event, and a judged run stays judged (a failed report is never the harness failing).
 */
export class MultiplexReporter implements RunReporter {
  readonly name = 'multiplexer';
  readonly failures: ReporterFailure[] = [];

  constructor(
    private readonly reporters: readonly RunReporter[],
    private readonly onFailure: (failure: ReporterFailure) => void = () => undefined,
  ) {}

  onBegin(plan: SuitePlan): Promise<void> {
    return this.each('onBegin', (r) => r.onBegin?.(plan));
  }

  onScenarioBegin(scenario: Scenario): Promise<void> {
    return this.each('onScenarioBegin', (r) => r.onScenarioBegin?.(scenario));
  }

  onProgress(scenario: Scenario, line: string): void {
    for (const reporter of this.reporters)
      try {
        reporter.onProgress?.(scenario, line);
      } catch (e) {
        this.fail(reporter, 'onProgress', e);
      }
  }

  onScenarioEnd(run: ScenarioRun): Promise<void> {
    return this.each('onScenarioEnd', (r) => r.onScenarioEnd?.(run));
  }

  onEnd(runs: readonly ScenarioRun[]): Promise<void> {
    return this.each('onEnd', (r) => r.onEnd?.(runs));
  }

  private async each(hook: string, call: (reporter: RunReporter) => void | Promise<void>): Promise<void> {
    for (const reporter of this.reporters)
      try {
        await call(reporter);
      } catch (e) {
        this.fail(reporter, hook, e);
      }
  }

  private fail(reporter: RunReporter, hook: string, error: unknown): void {
    const failure = {
      reporter: reporter.name,
      hook,
      message: error instanceof Error ? error.message : String(error),
    };
    this.failures.push(failure);
    try {
      this.onFailure(failure);
    } catch {
      // Telling of a failure must not fail the run either.
    }
  }
}
