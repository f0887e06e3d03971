import type { DurabilityLog } from '../history/history.js';
import { cappedEvidence } from './capped-evidence.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { formatCount, formatT, plural } from './format-figures.js';
import type { Evidence } from './verdict.js';
import { inSpan } from './window-span.js';

const shape = {
  description:
    'Is every acknowledged write still there after heal? A writer creates a ConfigMap every 500 ms through the run; after heal each one the API acknowledged is read back.',
  thresholds: {},
  select: {},
  windows: 'any (default whole-run): the writes made in it are judged',
  measures: 'the acknowledged writes lost (of each key, its last acknowledged write)',
} as const satisfies CheckSpecShape;

type DurabilityOptions = ReadCheckSpec<typeof shape>;

type Write = DurabilityLog['writes'][number];

/**
 * durability: is every acknowledged write still there after heal?
 *
 * For each key with an acknowledged write in the window, the final read of that key (the latest
 * one without an error) must show the key's last acknowledged value, wherever in the run that
 * write was: a later acknowledged write supersedes an earlier one. An unacknowledged write may or
 * may not have taken effect, so the value of one made at or after the last acknowledged write is
 * accepted too. This assumes one writer per key, each write finished (or given up) before the
 * next began.
 *
 * Measured: keys whose last acknowledged write was lost. Unknown when there are no final reads,
 * no acknowledged write in the window, or (nothing lost but) a key was not read or its read
 * failed.
 */
export const durabilityCheck: Checker<DurabilityOptions> = {
  type: 'durability',
  shape,
  unit: 'acknowledged writes lost',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: () => 'no acknowledged write lost',
  check({ history, span, windowPhrase }) {
    const { writes, finalReads } = history.durability;
    const acknowledged = writes.filter((w) => w.acknowledged && inSpan(w.t, span));
    if (finalReads.length === 0) {
      return cannotJudge(
        'Durability could not be judged: nothing was read back after heal.',
        `The history has no final reads (${plural(acknowledged.length, 'acknowledged write')} in the window).`,
      );
    }
    if (acknowledged.length === 0) {
      return cannotJudge(
        `Durability could not be judged ${windowPhrase}: no write was acknowledged.`,
        `No acknowledged writes between ${formatT(span[0])} and ${formatT(span[1])} (${plural(writes.filter((w) => inSpan(w.t, span)).length, 'write')} attempted).`,
      );
    }
    const keys = [...new Set(acknowledged.map((w) => w.key))].sort();
    const writesOf = byKey(writes);
    const readsOf = byKey(finalReads);
    const lost: Evidence[] = [];
    const unread: Evidence[] = [];
    for (const key of keys) {
      const ofKey = writesOf.get(key)!;
      const last = ofKey.filter((w) => w.acknowledged).pop()!;
      const accepted = new Set([
        last.value,
        ...ofKey.filter((w) => !w.acknowledged && w.t >= last.t).map((w) => w.value),
      ]);
      const reads = readsOf.get(key) ?? [];
      const read = reads.filter((r) => r.error === undefined).pop();
      if (reads.length === 0) {
        unread.push({ message: `Key ${key} was never read back after heal.` });
      } else if (!read) {
        const failed = reads[reads.length - 1]!;
        unread.push({ t: failed.t, message: `Reading key ${key} back failed: ${failed.error}.` });
      } else if (read.value === undefined) {
        lost.push({
          t: read.t,
          message: `Key ${key} was not found at ${formatT(read.t)}; ${expected(last)}.`,
        });
      } else if (!accepted.has(read.value)) {
        lost.push({
          t: read.t,
          message: `Key ${key} read ${quote(read.value)} at ${formatT(read.t)}; ${expected(last)}.`,
        });
      }
    }
    // Of each key only its last acknowledged write must survive: a later one overwrote the others.
    const overwritten = acknowledged.length - keys.length;
    const judged = `${plural(keys.length, 'acknowledged write')}${overwritten > 0 ? ` (the last to each key; ${plural(overwritten, 'earlier one')} overwritten)` : ''}`;
    if (lost.length > 0) {
      return {
        outcome: 'fail',
        measured: lost.length,
        summary: `${formatCount(lost.length)} of ${judged} lost: made ${windowPhrase}, the read after heal did not find ${lost.length === 1 ? 'it' : 'them'}.`,
        evidence: [
          ...cappedEvidence(lost, 20, 'more lost keys'),
          ...cappedEvidence(unread, 5, 'more keys not read'),
        ],
      };
    }
    if (unread.length > 0) {
      return {
        outcome: 'unknown',
        measured: 0,
        summary: `Durability could not be fully judged: ${formatCount(unread.length)} of ${judged} could not be read back after heal, and none of the others was lost.`,
        evidence: cappedEvidence(unread, 20, 'more keys not read'),
      };
    }
    return {
      outcome: 'pass',
      measured: 0,
      summary: `0 of ${judged} lost: each one made ${windowPhrase} read back after heal.`,
      evidence: [],
    };
  },
};

/** Entries by key, each list in time order. */
function byKey<E extends { key: string; t: number }>(entries: readonly E[]): Map<string, E[]> {
  const map = new Map<string, E[]>();
  for (const e of [...entries].sort((a, b) => a.t - b.t)) {
    const list = map.get(e.key);
    if (list) list.push(e);
    else map.set(e.key, [e]);
  }
  return map;
}

function expected(write: Write): string {
  return `the last acknowledged write (at ${formatT(write.t)}) was ${quote(write.value)}`;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}
