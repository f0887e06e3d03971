import type { LoadSample } from './load-sample.js';
import type { LoadProgress, LoadResult } from './load-summary.js';

/** One address the load goes to, and the node it stands for. */
export interface LoadTarget {
  url: string;
  /** A worker's name for a Service target; the URL's host:port otherwise. */
  node: string;
}

export interface LoadRunOptions {
  /** Every sample, as it completes (a recorder writes them to the history). */
  onSample?: (sample: LoadSample) => void;
  /** About once a second while the load runs. */
  onProgress?: (progress: LoadProgress) => void;
  /** Stops the load early: nothing more is sent, and what is in flight is still recorded. */
  signal?: AbortSignal;
}

/** A load driver: runs one load spec against its targets and reports the same samples and summary. */
export interface LoadDriver {
  readonly name: 'builtin' | 'k6';
  run(options?: LoadRunOptions): Promise<LoadResult>;
}

/** The targets of URLs as they are, each named by its host:port. */
export function urlTargets(urls: readonly string[]): LoadTarget[] {
  return urls.map((url) => ({ url: url.replace(/\/+$/, ''), node: new URL(url).host }));
}
