import type { History } from '../harness/history/history.js';

/**
 * The run's length in ms since it started: from its start and end times, stretched to cover
 * anything recorded later (an aborted run's `endedAt` may be missing or early). Never 0, so a
 * scale over it is always defined.
 */
export function runEndT(history: History): number {
  const { startedAt, endedAt } = history.metadata;
  const wall = Date.parse(endedAt) - Date.parse(startedAt);
  let end = Number.isFinite(wall) ? wall : 0;
  const later = (t: number) => {
    if (t > end) end = t;
  };
  const lastOf = (xs: readonly { t: number }[]) => {
    if (xs.length) later(xs[xs.length - 1].t);
  };
  lastOf(history.events);
  // A load second covers the second after its start.
  for (const s of history.series.load) later(s.t + 1000);
  lastOf(history.series.workloads);
  lastOf(history.series.nodes);
  lastOf(history.series.api);
  for (const p of history.metadata.phases) later(p.endT);
  return Math.max(end, 1000);
}
