import type { Evidence } from './verdict.js';

/**
 * At most `max` items, and one more saying how many were left out, so a run with thousands of
 * failures still gives a report a person can read.
 */
export function cappedEvidence(items: readonly Evidence[], max = 10, what = 'more'): Evidence[] {
  if (items.length <= max) return [...items];
  return [...items.slice(0, max), { message: `… and ${items.length - max} ${what} not listed.` }];
}
