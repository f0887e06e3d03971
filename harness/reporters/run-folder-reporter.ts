import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderJUnit, writeRunReport } from '../../reports/index.js';
import type { RunReporter, ScenarioRun } from './run-reporter.js';

/**
 * Each run into the output folder: history.json, verdicts.json, its HTML page and JUnit, and the
 * folder's index (scores and trends) rendered again; the path of the run's page on the terminal.
 */
export class RunFolderReporter implements RunReporter {
  readonly name = 'report';

  constructor(
    private readonly outDir: string,
    private readonly write: (text: string) => void = (t) => void process.stdout.write(t),
  ) {}

  async onScenarioEnd({ result }: ScenarioRun): Promise<void> {
    const written = await writeRunReport(
      resolve(this.outDir),
      result.history,
      result.verdicts,
      result.evidence,
    );
    this.write(`  report: ${written.runPage}\n`);
  }
}

/** One JUnit file for every run of the invocation (`--junit FILE`), one testcase per check. */
export class JUnitFileReporter implements RunReporter {
  readonly name = 'junit';

  constructor(private readonly file: string) {}

  async onEnd(runs: readonly ScenarioRun[]): Promise<void> {
    await writeFile(this.file, renderJUnit(runs.map((r) => r.result)));
  }
}
