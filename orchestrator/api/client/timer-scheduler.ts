/**
 * Timers, injected wherever the client machinery waits (queue delays, back-off, resync, lease
 * renewal), so tests can run them on virtual time.
 */
export interface TimerScheduler {
  /** Milliseconds on this scheduler's time line; only differences between readings mean anything. */
  now(): number;
  /** Calls `callback` once, `ms` from now; the handle is only good for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's own timers and wall clock. */
export const systemTimers: TimerScheduler = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Resolves after `ms` on `timers`, or as soon as `signal` aborts (never rejects), so a loop that
 * sleeps between retries stops at once when it is told to. Resolves true when the whole time
 * passed, false when the signal cut it short. The one sleep of the repository: the harness uses
 * it too (harness/support).
 */
export function sleep(timers: TimerScheduler, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      timers.clearTimeout(handle);
      resolve(false);
    };
    const handle = timers.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `pass` and then waits `periodMs`, over and over until `signal` aborts, as client-go's
 * wait.Until does for a controller's periodic work. A pass that throws is handed to `onError`
 * and the loop goes on: one failed pass must not stop a controller for good.
 */
export async function runEvery(
  timers: TimerScheduler,
  periodMs: number,
  signal: AbortSignal,
  pass: () => Promise<unknown>,
  onError: (error: Error) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await pass();
    } catch (e) {
      onError(e as Error);
    }
    await sleep(timers, periodMs, signal);
  }
}
