import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { LoadAggregator } from '../load-aggregator.js';
import type { LoadDriver, LoadRunOptions, LoadTarget } from '../load-driver.js';
import { LoadError } from '../load-error.js';
import { peakRate, type LoadSpec } from '../load-spec.js';
import type { LoadResult } from '../load-summary.js';
import { K6OutputParser } from './k6-output-parser.js';
import { K6_SAMPLES_FILE, K6_SUMMARY_FILE, runK6, type K6Exit, type K6Invocation } from './k6-process.js';
import { k6LoadResult } from './k6-result.js';
import { requireK6, type K6LookupOptions, type K6Runtime } from './k6-runtime.js';
import { K6_RATE_ENV, K6_TARGETS_ENV, K6_TARGET_ENV, renderK6Script } from './k6-script.js';
import { parseK6SummaryExport } from './k6-summary-export.js';
import { NdjsonFollower } from './ndjson-follower.js';

/** k6 exit codes that mean a completed test: passed, and thresholds crossed. */
const COMPLETED = new Set([0, 99]);
/** k6's exit code when stopped from outside (SIGINT): a run cut short on purpose. */
const ABORTED = 105;

export interface K6DriverOptions {
  /** The k6 to run; looked up (K6_BIN, PATH, local image) when not given. */
  runtime?: K6Runtime;
  lookup?: K6LookupOptions;
  /** Keep k6's files (script, samples, summary export) here; a temporary folder, removed, by default. */
  workDir?: string;
  now?: () => number;
}

/**
 * The load driver that runs the real k6: renders the spec into a k6 script (or runs the user's
 * own, `spec.script`), passes the targets through the environment, follows k6's NDJSON samples
 * while it runs and reads its summary export at the end, into the same samples, summary and
 * buckets as the builtin driver. A k6 exit code other than 0 or 99 (thresholds crossed) is a
 * LoadError K6Failed.
 */
export class K6Driver implements LoadDriver {
  readonly name = 'k6';
  private readonly now: () => number;

  constructor(
    private readonly spec: LoadSpec,
    private readonly targets: readonly LoadTarget[],
    private readonly options: K6DriverOptions = {},
  ) {
    if (targets.length === 0) throw new RangeError('the k6 driver needs at least one target');
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
  }

  async run(options: LoadRunOptions = {}): Promise<LoadResult> {
    const runtime = this.options.runtime ?? (await requireK6(this.options.lookup));
    const workDir = this.options.workDir
      ? resolve(this.options.workDir)
      : await mkdtemp(join(tmpdir(), 'crucible-k6-'));
    try {
      // A k6 container runs as this user, but be sure it can write its outputs whatever it runs as.
      if (runtime.kind === 'image') await chmod(workDir, 0o777);
      const invocation = await this.prepare(runtime, workDir);
      const aggregator = new LoadAggregator({ driver: 'k6' });
      const parser = new K6OutputParser((sample) => {
        aggregator.add(sample);
        options.onSample?.(sample);
      });
      const follower = new NdjsonFollower(join(workDir, K6_SAMPLES_FILE), (line) =>
        parser.line(line),
      ).start();
      const progress = options.onProgress
        ? setInterval(() => options.onProgress!(aggregator.progress(this.now())), 1000)
        : undefined;
      let exit: K6Exit;
      try {
        exit = await runK6(runtime, invocation, options.signal);
      } finally {
        clearInterval(progress);
        await follower.stop();
        parser.end();
      }
      const aborted = options.signal?.aborted && exit.exitCode === ABORTED;
      if (!COMPLETED.has(exit.exitCode) && !aborted) {
        throw new LoadError(
          'K6Failed',
          `k6 exited with code ${exit.exitCode}:\n${lastLines(exit.output, 15)}`,
        );
      }
      const summaryFile = join(workDir, K6_SUMMARY_FILE);
      let summaryText: string;
      try {
        summaryText = await readFile(summaryFile, 'utf8');
      } catch {
        throw new LoadError('K6OutputInvalid', `k6 wrote no summary export (${summaryFile})`);
      }
      return k6LoadResult(aggregator, parseK6SummaryExport(summaryText, summaryFile), parser.malformedLines);
    } finally {
      if (!this.options.workDir) await rm(workDir, { recursive: true, force: true });
    }
  }

  /** Writes (or copies) the script into the work folder and sets the environment. */
  private async prepare(runtime: K6Runtime, workDir: string): Promise<K6Invocation> {
    let script: string;
    if (this.spec.script === undefined) {
      script = join(workDir, 'crucible-load.js');
      await writeFile(script, renderK6Script(this.spec));
    } else if (runtime.kind === 'image') {
      // Only the work folder is mounted; a script importing files beside it needs the binary.
      script = join(workDir, basename(this.spec.script));
      await copyFile(this.spec.script, script);
    } else {
      script = resolve(this.spec.script);
    }
    return {
      workDir,
      script,
      env: {
        [K6_TARGET_ENV]: this.targets[0]!.url,
        [K6_TARGETS_ENV]: JSON.stringify(this.targets.map((t) => ({ url: t.url, node: t.node }))),
        // The spec's peak rate, for a script of the user's own that sizes its scenario by it.
        [K6_RATE_ENV]: String(peakRate(this.spec.arrival)),
      },
    };
  }
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
