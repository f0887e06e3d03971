import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { LoadAggregator } from '../load-aggregator.js';
import { LoadError } from '../load-error.js';
import type { LoadSample } from '../load-sample.js';
import type { LoadResult } from '../load-summary.js';
import { K6OutputParser } from './k6-output-parser.js';
import { parseK6SummaryExport, type K6SummaryExport } from './k6-summary-export.js';

/**
 * A k6 run's result from its samples (already folded into `aggregator`) and its summary export:
 * the summary is computed from the samples, as the builtin driver's is, except the rate, which
 * is k6's own; the thresholds come from the export. Where k6's counts and the samples disagree
 * (a samples file cut short), the result says so.
 */
export function k6LoadResult(
  aggregator: LoadAggregator,
  exported: K6SummaryExport,
  malformedLines = 0,
): LoadResult {
  const summary = aggregator.summary({ rate: exported.rate });
  const warnings: string[] = [];
  const compare = (what: string, k6: number, samples: number) => {
    if (k6 !== samples) warnings.push(`k6 counted ${k6} ${what}, its samples file holds ${samples}`);
  };
  compare('requests', exported.requests, summary.count);
  compare('failed requests', exported.failed, summary.failed);
  compare('dropped iterations', exported.dropped, summary.dropped);
  if (malformedLines > 0) warnings.push(`${malformedLines} line(s) of k6's samples file were not JSON`);
  return { summary, buckets: aggregator.bucketList(), thresholds: exported.thresholds, warnings };
}

/**
 * Reads a finished k6 run from its files (`--out json` NDJSON and `--summary-export`): the same
 * result the k6 driver gives, so a stored run can be re-read without running k6.
 */
export async function readK6Run(
  samplesFile: string,
  summaryFile: string,
  onSample?: (sample: LoadSample) => void,
): Promise<LoadResult> {
  let summaryText: string;
  try {
    summaryText = await readFile(summaryFile, 'utf8');
  } catch (e) {
    throw new LoadError(
      'K6OutputInvalid',
      `cannot read k6's summary export ${summaryFile}: ${(e as Error).message}`,
    );
  }
  const exported = parseK6SummaryExport(summaryText, summaryFile);
  const aggregator = new LoadAggregator({ driver: 'k6' });
  const parser = new K6OutputParser((s) => {
    aggregator.add(s);
    onSample?.(s);
  });
  try {
    const lines = createInterface({ input: createReadStream(samplesFile), crlfDelay: Infinity });
    for await (const line of lines) parser.line(line);
  } catch (e) {
    throw new LoadError(
      'K6OutputInvalid',
      `cannot read k6's samples ${samplesFile}: ${(e as Error).message}`,
    );
  }
  parser.end();
  return k6LoadResult(aggregator, exported, parser.malformedLines);
}
