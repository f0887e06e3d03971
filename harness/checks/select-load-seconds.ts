import type { History, LoadSecond } from '../history/history.js';
import { secondInSpan, type Span } from './window-span.js';

/** Which load seconds a check looks at: by load name and by the namespace of its target. */
export interface LoadSelect {
  load?: string;
  namespace?: string;
}

/** The load seconds in the span that match the select, in time order. */
export function selectLoadSeconds(history: History, span: Span, select: LoadSelect): LoadSecond[] {
  return history.series.load
    .filter(
      (s) =>
        secondInSpan(s.t, span) &&
        (select.load === undefined || s.load === select.load) &&
        (select.namespace === undefined || s.namespace === select.namespace),
    )
    .sort((a, b) => a.t - b.t);
}

/** The load selection in words: "load echo in namespace tenant-b", or "any load". */
export function loadSelectWords(select: LoadSelect): string {
  const parts = [
    select.load !== undefined ? `load ${select.load}` : 'any load',
    ...(select.namespace !== undefined ? [`in namespace ${select.namespace}`] : []),
  ];
  return parts.join(' ');
}

/**
 * Requests the driver sent (ok + failed). Dropped requests were never sent: they say the driver
 * could not keep the rate, nothing about the target, so no ratio counts them.
 */
export function sent(second: LoadSecond): number {
  return second.ok + second.failed;
}
