import { writeFile } from 'node:fs/promises';
import { renderJUnit } from '../../reports/index.js';
import type { RunReporter, ScenarioRun } from './run-reporter.js';

/** One JUnit file for every run of the invocation (`--junit FILE`), one testcase per check. */
export class JUnitFileReporter implements RunReporter {
  readonly name = 'junit';

  constructor(private readonly file: string) {}

  async onEnd(runs: readonly ScenarioRun[]): Promise<void> {
    await writeFile(this.file, renderJUnit(runs.map((r) => r.result)));
  }
}
