/**
 * reports/: renders what a run recorded and how it was judged — a self-contained HTML page per
 * run, an index page per output folder, JUnit XML. Pure model builders and renderers, plus
 * write-report.ts, the one file that reads and writes files.
 */
export { buildReportModel, MAX_EVENT_ROWS, type RunReportModel, type VerdictRow } from './report-model.js';
export {
  buildIndexModel,
  resilienceScore,
  SCORE_FORMULA,
  type IndexEntry,
  type IndexModel,
} from './index-model.js';
export { digestRun, type RunDigest } from './run-digest.js';
export type { LinkedRun, TrendModel } from './trend-chart.js';
export { MAX_POINTS_PER_LINE, type TimelineModel } from './timeline-model.js';
export { renderIndexPage, renderRunPage } from './render-html.js';
export { formatDuration } from './format.js';
export { renderJUnit, type JudgedRun } from './junit.js';
export { ReportError, type ReportErrorCode } from './report-error.js';
export {
  beginInvocation,
  renderFromDirectory,
  runId,
  scenarioFolderName,
  pruneRuns,
  writeRunReport,
  type RenderResult,
  type WrittenReport,
} from './write-report.js';
export { mergeRunFolders, type MergeResult } from './merge-run-folders.js';
export { recordedDurations } from './recorded-durations.js';
