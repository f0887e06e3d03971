import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { beginInvocation, pruneRuns, writeRunReport } from '../../reports/index.js';
import type { RunReporter, ScenarioRun } from './run-reporter.js';

export interface RunFolderOptions {
  /** Keep this many runs of each scenario in the folder, deleting older ones (`--keep-runs`). */
  keepRuns?: number;
  write?: (text: string) => void;
}

/**
 * Each run into the output folder: history.json, verdicts.json, its evidence, its HTML page and
 * JUnit, and the folder's index rendered again — its score and root junit.xml about this
 * invocation's runs. The path of the run's page on the terminal.
 */
export class RunFolderReporter implements RunReporter {
  readonly name = 'report';
  /** Names this invocation in the folder, so the index tells its runs from earlier ones. */
  private readonly invocation = `${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
  private readonly write: (text: string) => void;

  constructor(
    private readonly outDir: string,
    private readonly options: RunFolderOptions = {},
  ) {
    this.write = options.write ?? ((t) => void process.stdout.write(t));
  }

  /** The folder's last invocation is this one from now on, even if no run of it ends. */
  async onBegin(): Promise<void> {
    await beginInvocation(resolve(this.outDir), this.invocation);
  }

  async onScenarioEnd({ result }: ScenarioRun): Promise<void> {
    const written = await writeRunReport(
      resolve(this.outDir),
      result.history,
      result.verdicts,
      result.evidence,
      this.invocation,
    );
    this.write(`  report: ${written.runPage}\n`);
  }

  async onEnd(): Promise<void> {
    if (this.options.keepRuns === undefined) return;
    const deleted = await pruneRuns(resolve(this.outDir), this.options.keepRuns);
    if (deleted.length)
      this.write(`  ${deleted.length} older run(s) deleted (--keep-runs ${this.options.keepRuns})\n`);
  }
}
