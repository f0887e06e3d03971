/**
 * Reporters of runs, as Playwright's: the progress line, the verdict table, the run folder (HTML,
 * history.json, verdicts.json, JUnit per run) and one JUnit file, behind a multiplexer that keeps a
 * failing reporter from failing anything else.
 */
export { MultiplexReporter, type ReporterFailure } from './multiplex-reporter.js';
export { ProgressReporter } from './progress-reporter.js';
export { JUnitFileReporter } from './junit-file-reporter.js';
export { RunFolderReporter, type RunFolderOptions } from './run-folder-reporter.js';
export type { RunReporter, ScenarioRun, SuitePlan } from './run-reporter.js';
export { VerdictTableReporter, verdictTable } from './verdict-table-reporter.js';
