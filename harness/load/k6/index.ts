/** The k6 load driver: renders a script, runs the real k6, reads its NDJSON and summary export. */
export { K6Driver, type K6DriverOptions } from './k6-driver.js';
export { k6ErrorKind } from './k6-error-code.js';
export { K6OutputParser, K6_POD_METRIC } from './k6-output-parser.js';
export {
  K6_SAMPLES_FILE,
  K6_SUMMARY_FILE,
  k6Arguments,
  runK6,
  type K6Exit,
  type K6Invocation,
} from './k6-process.js';
export { k6LoadResult, readK6Run } from './k6-result.js';
export { K6_IMAGE, findK6, requireK6, type K6LookupOptions, type K6Runtime } from './k6-runtime.js';
export { K6_TARGETS_ENV, K6_TARGET_ENV, formatDuration, k6Options, renderK6Script } from './k6-script.js';
export { parseK6SummaryExport, type K6SummaryExport } from './k6-summary-export.js';
export { NdjsonFollower } from './ndjson-follower.js';
