import type { CheckWindow, History } from '../history/history.js';
import { faultInjects, faultWords } from './fault-events.js';

/**
 * A window in words that fit a summary sentence: "during the run", "before the first fault",
 * "while worker-2 was lost", "after the faults were healed".
 */
export function windowPhrase(history: History, window: CheckWindow): string {
  if (window === 'whole-run') return 'during the run';
  if (window === 'before-faults') return 'before the first fault';
  if (window === 'after-heal') return 'after the faults were healed';
  const inject = faultInjects(history).find((e) => e.fault.id === window.during);
  return inject ? `while ${faultWords(inject.fault)}` : `during fault ${window.during}`;
}
