import { pollUntil } from '../harness/support/poll-until.js';

/**
 * pollUntil (harness/support) with the arguments in the order of the tests that still call it:
 * those of harness/cluster, harness/faults and harness/cli, left alone while those rooms are
 * restructured. Other tests call pollUntil; so should new ones.
 */
export function waitFor(
  condition: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  return pollUntil(condition, timeoutMs, what);
}
