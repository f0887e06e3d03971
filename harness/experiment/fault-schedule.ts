import type { FaultInjector } from '../faults/index.js';
import { sleep } from '../support/index.js';
import type { ScheduledFault } from '../scenario/scenario.js';

/**
 * Plays a fault schedule from the start of the faults phase: each fault injected at its `at`,
 * healed `for` later (faults may overlap). The injector puts every inject and heal into the
 * history. An abort stops the waiting; whatever was injected is healed by the run's final heal.
 */
export async function playSchedule(
  faults: readonly ScheduledFault[],
  injector: FaultInjector,
  now: () => number,
  onChange: (active: string[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const phaseStart = now();
  const active = new Set<string>();
  await Promise.all(
    faults.map(async (fault) => {
      await sleepUntil(phaseStart + fault.atMs, now, signal);
      const injected = await injector.inject(fault.type, fault.target, fault.options, {
        id: fault.id,
        ...(fault.tenant ? { tenant: fault.tenant } : {}),
      });
      active.add(fault.id);
      onChange([...active]);
      try {
        await sleepUntil(phaseStart + fault.atMs + fault.forMs, now, signal);
      } finally {
        // Healed here when its time comes; on abort, the run's final heal takes over. A failed
        // heal is in the history already; the final heal tries again.
        if (!signal.aborted) {
          await injector.heal(injected).catch(() => undefined);
          active.delete(fault.id);
          onChange([...active]);
        }
      }
    }),
  );
}

/** Waits until `t` on the phase's clock; an abort ends the wait with the signal's reason. */
async function sleepUntil(t: number, now: () => number, signal: AbortSignal): Promise<void> {
  if (!(await sleep(t - now(), signal))) throw signal.reason;
}
