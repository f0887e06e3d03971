import type { PhaseName, PhaseRecord } from '../history/history.js';

/** Raised when a phase overruns its timeout. */
export class PhaseTimeoutError extends Error {
  constructor(
    readonly phase: PhaseName,
    timeoutMs: number,
  ) {
    super(`phase ${phase} did not finish within ${timeoutMs} ms`);
    this.name = 'PhaseTimeoutError';
  }
}

/**
 * Runs the lifecycle's phases one after another, each with a timeout and the run's abort signal,
 * and records each as a PhaseRecord (ok, failed, aborted) in ms since the run started.
 */
export class PhaseClock {
  readonly phases: PhaseRecord[] = [];
  current?: PhaseName;

  constructor(
    readonly startedAt: number,
    private readonly signal: AbortSignal,
    private readonly onPhase: (phase: PhaseName, status: 'start' | 'end') => void = () => undefined,
  ) {}

  /** ms since the run started. */
  now(): number {
    return Date.now() - this.startedAt;
  }

  /**
   * Runs a phase. `always` phases (heal, collect, teardown) run even after the run was aborted,
   * bounded by their timeout only: Ctrl-C must not skip the clean-up.
   */
  async run<T>(
    name: PhaseName,
    timeoutMs: number,
    work: (signal: AbortSignal) => Promise<T>,
    always = false,
  ): Promise<T> {
    if (!always) this.signal.throwIfAborted();
    const startT = this.now();
    this.current = name;
    this.onPhase(name, 'start');
    const phaseAbort = new AbortController();
    const onAbort = () => phaseAbort.abort(this.signal.reason);
    if (!always) this.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => phaseAbort.abort(new PhaseTimeoutError(name, timeoutMs)), timeoutMs);
    try {
      const result = await Promise.race([
        work(phaseAbort.signal),
        new Promise<never>((_, reject) =>
          phaseAbort.signal.addEventListener('abort', () => reject(phaseAbort.signal.reason), { once: true }),
        ),
      ]);
      this.phases.push({ name, startT, endT: this.now(), outcome: 'ok' });
      return result;
    } catch (e) {
      this.phases.push({
        name,
        startT,
        endT: this.now(),
        outcome: this.signal.aborted && !always ? 'aborted' : 'failed',
        error: e instanceof Error ? e.message : String(e),
      });
      throw e;
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', onAbort);
      this.onPhase(name, 'end');
    }
  }
}
