/** What every recorder of a run is given: the run's start and the clock its times are read from. */
export interface RecorderOptions {
  /** When the run started (ms since the Unix epoch): every recorded `t` is measured from it. */
  runStartedAt: number;
  /** Read for every `t`; Date.now by default. Injected so tests control the recorded times. */
  clock?: () => number;
  /** How often the recorder samples, in ms. */
  intervalMs?: number;
}

/** ms since the run started, on the recorder's clock. */
export function elapsedSince(options: RecorderOptions): () => number {
  const clock = options.clock ?? Date.now;
  return () => clock() - options.runStartedAt;
}
