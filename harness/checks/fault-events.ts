import type { FaultHealEvent, FaultInjectEvent, FaultRef, History } from '../history/history.js';
import { listWords } from './format-figures.js';
import type { Span } from './window-span.js';

/**
 * Every fault-inject event, in time order. An injection that reported `ok: false` counts too:
 * it may have acted in part, so windows and checks treat it as a fault that happened.
 */
export function faultInjects(history: History): FaultInjectEvent[] {
  return byTime(history.events.filter((e): e is FaultInjectEvent => e.type === 'fault-inject'));
}

/**
 * The fault injections that start inside the span; one at its very end is left out, since
 * nothing of its effect could be seen in the window.
 */
export function faultInjectsIn(history: History, span: Span): FaultInjectEvent[] {
  return faultInjects(history).filter((e) => span[0] <= e.t && e.t < span[1]);
}

/** Every fault-heal event, in time order. */
export function faultHeals(history: History): FaultHealEvent[] {
  return byTime(history.events.filter((e): e is FaultHealEvent => e.type === 'fault-heal'));
}

/** A fault's targets are named up to this many in a verdict; a pod-kill of 500 pods would fill pages. */
const MAX_TARGETS_NAMED = 5;

/** What a fault did, in words that finish "while …": "worker-2 was lost". */
export function faultWords(fault: FaultRef): string {
  const named =
    fault.targets.length <= MAX_TARGETS_NAMED
      ? fault.targets
      : [...fault.targets.slice(0, MAX_TARGETS_NAMED), `${fault.targets.length - MAX_TARGETS_NAMED} more`];
  const targets = fault.targets.length > 0 ? listWords(named) : 'its target';
  const was = fault.targets.length > 1 ? 'were' : 'was';
  switch (fault.type) {
    case 'node-loss':
      return `${targets} ${was} lost`;
    case 'node-pause':
      return `${targets} ${was} paused`;
    case 'node-partition':
      return `${targets} ${was} partitioned from the cluster`;
    case 'component-kill':
      return `${targets} ${was} killed`;
    case 'component-stop':
      return `${targets} ${was} stopped`;
    case 'component-restart':
      return `${targets} ${was} restarting`;
    case 'control-plane-outage':
      return 'the control plane was down';
    case 'etcd-quorum-loss':
      return 'etcd had lost its quorum';
    default:
      return `fault ${fault.id} (${fault.type} on ${targets}) was active`;
  }
}

function byTime<E extends { t: number }>(events: E[]): E[] {
  return events.sort((a, b) => a.t - b.t);
}
