import type { FaultRef, History, HistoryEvent } from '../harness/history/history.js';

type InjectEvent = Extract<HistoryEvent, { type: 'fault-inject' }>;
type HealEvent = Extract<HistoryEvent, { type: 'fault-heal' }>;

/** One fault from its inject to its heal, as the history recorded them. */
export interface FaultWindow {
  fault: FaultRef;
  inject: InjectEvent;
  /** Null when no heal was recorded (the run crashed between inject and heal). */
  heal: HealEvent | null;
  startT: number;
  /** The heal's time, or the run's end when there was none. */
  endT: number;
}

/**
 * The faults of a run, in inject order. Each inject is paired with the first heal of the same
 * fault id after it, so a fault injected twice gives two windows.
 */
export function faultWindows(history: History, runEndT: number): FaultWindow[] {
  const windows: FaultWindow[] = [];
  const open = new Map<string, FaultWindow[]>();
  for (const e of history.events) {
    if (e.type === 'fault-inject') {
      const w: FaultWindow = { fault: e.fault, inject: e, heal: null, startT: e.t, endT: runEndT };
      windows.push(w);
      const waiting = open.get(e.fault.id);
      if (waiting) waiting.push(w);
      else open.set(e.fault.id, [w]);
    } else if (e.type === 'fault-heal') {
      const w = open.get(e.fault.id)?.shift();
      if (w) {
        w.heal = e;
        w.endT = Math.max(e.t, w.startT);
      }
    }
  }
  return windows;
}
