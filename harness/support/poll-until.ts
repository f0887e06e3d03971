import { sleep, systemTimers } from '../../orchestrator/api/client/timer-scheduler.js';

/**
 * Polls `check` every `intervalMs` until it holds; a check that throws counts as not yet, except
 * an abort (AbortSignal.throwIfAborted), which ends the wait. Fails after `timeoutMs` naming
 * `what` (a function, to describe progress at the time of failure).
 */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await Promise.resolve()
      .then(check)
      .catch((e: unknown) => {
        if (e instanceof Error && e.name === 'AbortError') throw e;
        return false;
      }))
  ) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    await sleep(systemTimers, intervalMs);
  }
}
