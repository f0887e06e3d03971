import type { FaultRef, HistoryEvent } from '../history/history.js';
import type { FaultInjector } from '../faults/index.js';
import { sleep } from '../support/index.js';
import type { ScheduledFault } from '../scenario/scenario.js';

/**
 * Plays a fault schedule from the start of the faults phase: each fault injected at its `at`,
 * healed `for` later (faults may overlap). Every inject and heal goes into the history as an
 * event. An abort stops the waiting; whatever was injected is healed by the runner's final heal.
 */
export async function playSchedule(
  faults: readonly ScheduledFault[],
  injector: FaultInjector,
  now: () => number,
  record: (event: HistoryEvent) => void,
  onChange: (active: string[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const phaseStart = now();
  const active = new Set<string>();
  await Promise.all(
    faults.map(async (fault) => {
      await sleepUntil(phaseStart + fault.atMs, now, signal);
      const ref: FaultRef = {
        id: fault.id,
        type: fault.type,
        targets: [],
        ...(fault.tenant ? { tenant: fault.tenant } : {}),
      };
      let injected;
      try {
        injected = await injector.inject(fault.type, fault.target, fault.options);
      } catch (e) {
        record({ t: now(), type: 'fault-inject', fault: ref, ok: false, error: (e as Error).message });
        throw e;
      }
      ref.targets = injected.targets;
      record({ t: now(), type: 'fault-inject', fault: ref, ok: true });
      active.add(fault.id);
      onChange([...active]);
      try {
        await sleepUntil(phaseStart + fault.atMs + fault.forMs, now, signal);
      } finally {
        // Healed here when its time comes; on abort, the runner's final heal takes over.
        if (!signal.aborted) {
          await injector.heal(injected).then(
            () =>
              record({
                t: now(),
                type: 'fault-heal',
                fault: ref,
                ok: true,
                verifiedBy: `${fault.type} heal returned`,
              }),
            (e: Error) =>
              record({
                t: now(),
                type: 'fault-heal',
                fault: ref,
                ok: false,
                verifiedBy: 'heal failed',
                error: e.message,
              }),
          );
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
