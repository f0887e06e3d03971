import { cappedEvidence } from './capped-evidence.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { formatT, listWords, plural } from './format-figures.js';
import type { GroundTruthSample } from '../history/history.js';
import type { Evidence } from './verdict.js';
import { inSpan } from './window-span.js';

const shape = {
  description:
    "Did any pod identity run twice at once? Two running pods of one namespace and name (a StatefulSet's `web-0`) but different uids, on the kubelets' own word, at one moment — what a StatefulSet must never allow, even while a node is partitioned.",
  thresholds: {},
  select: {
    namespace: "only this namespace's pods (default: every pod)",
    prefix: 'only pods whose name starts with this (a StatefulSet `web`: `web-`)',
  },
  windows: 'any',
  measures: 'the identities seen running twice at one moment',
} as const satisfies CheckSpecShape;

type NoDuplicateIdentityOptions = ReadCheckSpec<typeof shape>;

/** One running pod instance as a kubelet reported it. */
interface Instance {
  uid: string;
  node: string;
  pids: string;
}

/**
 * no-duplicate-identity: at-most-one per pod identity, judged on the kubelets' ground truth. At
 * each sample, the latest sample of every node (reachable ones only: an unreachable kubelet says
 * nothing) is put together; a namespace/name with running containers under two uids is a
 * duplicate identity. A pod made again under its old name after the first is gone (a StatefulSet
 * replacing `web-1`) is no duplicate: the two never ran at one moment.
 *
 * Measured: identities seen running twice. Unknown when the window holds no reachable ground
 * truth, or when no selected pod was seen running.
 */
export const noDuplicateIdentityCheck: Checker<NoDuplicateIdentityOptions> = {
  type: 'no-duplicate-identity',
  shape,
  unit: 'identities run twice',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: () => 'no pod identity running twice at once',
  check({ history, span, windowPhrase }, { select }) {
    const selected = (namespace: string, name: string) =>
      (select.namespace === undefined || namespace === select.namespace) &&
      (select.prefix === undefined || name.startsWith(select.prefix));
    const samples = history.groundTruth.filter((s) => inSpan(s.t, span)).sort((a, b) => a.t - b.t);
    if (!samples.some((s) => s.reachable))
      return cannotJudge(
        `Pod identities could not be judged ${windowPhrase}: no kubelet answered.`,
        `No reachable ground-truth sample between ${formatT(span[0])} and ${formatT(span[1])}.`,
      );
    const latest = new Map<string, GroundTruthSample>();
    const seen = new Set<string>();
    const duplicated = new Map<string, Evidence>();
    for (const sample of samples) {
      latest.set(sample.node, sample);
      const running = new Map<string, Map<string, Instance>>();
      for (const s of latest.values()) {
        if (!s.reachable) continue;
        for (const pod of s.pods) {
          if (pod.containers.length === 0 || !selected(pod.namespace, pod.name)) continue;
          const identity = `${pod.namespace}/${pod.name}`;
          seen.add(identity);
          const instances = running.get(identity) ?? new Map<string, Instance>();
          running.set(identity, instances);
          instances.set(pod.uid, {
            uid: pod.uid,
            node: s.node,
            pids: pod.containers.map((c) => c.pid).join(','),
          });
        }
      }
      for (const [identity, instances] of running) {
        if (instances.size < 2 || duplicated.has(identity)) continue;
        const where = [...instances.values()].map((i) => `uid ${i.uid} on ${i.node} (pid ${i.pids})`);
        duplicated.set(identity, {
          t: sample.t,
          message: `At ${formatT(sample.t)}, ${identity} ran ${instances.size} times at once: ${listWords(where)}.`,
        });
      }
    }
    if (seen.size === 0)
      return cannotJudge(
        `Pod identities could not be judged ${windowPhrase}: no selected pod was seen running.`,
        `The kubelets reported no running pod${select.namespace ? ` in namespace ${select.namespace}` : ''}${select.prefix ? ` named ${select.prefix}…` : ''}.`,
      );
    if (duplicated.size > 0)
      return {
        outcome: 'fail',
        measured: duplicated.size,
        summary: `${plural(duplicated.size, 'pod identity', 'pod identities')} ran twice at once ${windowPhrase} (${listWords([...duplicated.keys()].slice(0, 3))}${duplicated.size > 3 ? ', …' : ''}), on the kubelets' own word.`,
        evidence: cappedEvidence([...duplicated.values()], 20, 'more identities'),
      };
    return {
      outcome: 'pass',
      measured: 0,
      summary: `Each of ${plural(seen.size, 'pod identity', 'pod identities')} ran at most once at a time ${windowPhrase}, over ${plural(samples.length, 'kubelet sample')}.`,
      evidence: [],
    };
  },
};
