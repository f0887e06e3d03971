import { cappedEvidence } from './capped-evidence.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { formatCount, formatT, listWords, plural } from './format-figures.js';
import type { GroundTruthContainer } from '../history/history.js';
import type { Evidence } from './verdict.js';
import { inSpan } from './window-span.js';

const shape = {
  description:
    "Did the processes that ran keep running? Each container's pid, start time and restart count, as its node's kubelet reports them (so it holds while the API is down).",
  thresholds: {
    maxRestarts: {
      kind: 'count',
      required: false,
      description: 'the most container restarts allowed, all containers together (default 0)',
    },
  },
  select: {
    namespace: "only this namespace's pods (default: every pod)",
    node: "only this node's containers",
  },
  windows: 'any',
  measures: 'the container restarts seen',
} as const satisfies CheckSpecShape;

type NoRestartsOptions = ReadCheckSpec<typeof shape>;

/** A container as last seen: where, when, and the kubelet's account of it. */
interface SeenContainer extends GroundTruthContainer {
  t: number;
  node: string;
  pod: string;
}

/**
 * no-restarts: did the processes that ran keep running? Judged on the kubelets' ground truth, so
 * it holds while the API is down.
 *
 * For each container of each pod (by uid) seen on a reachable node in the window, its identity
 * (its container ID where the runtime is not crucible's, else its pid) and startedAt must stay the
 * same and its restart count must not grow. A change counts as the restart count's growth, or 1
 * when only the identity or startedAt changed. Pods that appear or go
 * away are not restarts (rescheduling is self-heal's business). Samples from an unreachable node
 * are ignored.
 *
 * Thresholds and select: `shape`.
 *
 * Measured: restarts seen. Unknown when the window holds no ground truth, when a node sampled in
 * the window was never reachable in it (and nothing failed), or when no container was seen.
 */
export const noRestartsCheck: Checker<NoRestartsOptions> = {
  type: 'no-restarts',
  shape,
  unit: 'container restarts',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ thresholds }) =>
    (thresholds.maxRestarts ?? 0) === 0
      ? 'no container restarts'
      : `at most ${plural(thresholds.maxRestarts!, 'container restart')}`,
  check({ history, span, windowPhrase }, { thresholds, select }) {
    const maxRestarts = thresholds.maxRestarts ?? 0;
    const samples = history.groundTruth
      .filter((s) => inSpan(s.t, span) && (select.node === undefined || s.node === select.node))
      .sort((a, b) => a.t - b.t);
    if (samples.length === 0) {
      return cannotJudge(
        `Restarts could not be judged ${windowPhrase}: no kubelet was sampled.`,
        `No ground-truth samples${select.node ? ` from ${select.node}` : ''} between ${formatT(span[0])} and ${formatT(span[1])}.`,
      );
    }
    const sampledNodes = new Set(samples.map((s) => s.node));
    const reachedNodes = new Set(samples.filter((s) => s.reachable).map((s) => s.node));
    const neverReached = [...sampledNodes].filter((n) => !reachedNodes.has(n)).sort();

    const seen = new Map<string, SeenContainer>();
    const changes: Evidence[] = [];
    const changed = new Set<string>();
    let restarts = 0;
    for (const sample of samples) {
      if (!sample.reachable) continue;
      for (const pod of sample.pods) {
        if (select.namespace !== undefined && pod.namespace !== select.namespace) continue;
        for (const c of pod.containers) {
          const key = `${pod.uid}/${c.name}`;
          const now: SeenContainer = {
            t: sample.t,
            node: sample.node,
            pod: `${pod.namespace}/${pod.name}`,
            ...c,
          };
          const before = seen.get(key);
          seen.set(key, now);
          if (!before) continue;
          const grew = c.restarts - before.restarts;
          if (sameInstance(c, before) && grew <= 0) continue;
          restarts += Math.max(1, grew);
          changed.add(`${now.pod}/${c.name} on ${sample.node}`);
          changes.push({
            t: sample.t,
            message: `Container ${c.name} of pod ${now.pod} on ${sample.node} restarted between ${formatT(before.t)} and ${formatT(sample.t)}: ${changeWords(before, now)}.`,
          });
        }
      }
    }
    const unreachedEvidence = neverReached.map((node) => ({
      message: `${node} was never reachable in the window, so its containers could not be checked.`,
    }));
    if (restarts > maxRestarts) {
      const names = [...changed];
      const who = names.length > 3 ? `${names.slice(0, 3).join(', ')}, …` : listWords(names);
      return {
        outcome: 'fail',
        measured: restarts,
        summary: `${plural(restarts, 'container restart')} ${restarts === 1 ? 'was' : 'were'} seen ${windowPhrase}, in ${formatCount(changed.size)} of ${plural(seen.size, 'container')} (${who}); ${maxRestarts === 0 ? 'none was allowed' : `only ${maxRestarts} ${maxRestarts === 1 ? 'was' : 'were'} allowed`}.`,
        evidence: [...cappedEvidence(changes, 20, 'more restarts'), ...unreachedEvidence],
      };
    }
    if (neverReached.length > 0) {
      return {
        outcome: 'unknown',
        measured: restarts,
        summary: `Restarts could not be judged ${windowPhrase}: ${listWords(neverReached)} never answered.`,
        evidence: [...unreachedEvidence, ...changes],
      };
    }
    if (seen.size === 0) {
      return cannotJudge(
        `Restarts could not be judged ${windowPhrase}: no container was seen running.`,
        `The kubelets of ${listWords([...reachedNodes].sort())} reported no container${select.namespace ? ` in namespace ${select.namespace}` : ''}.`,
      );
    }
    const summary =
      restarts === 0
        ? `None of the ${plural(seen.size, 'container')} on ${plural(reachedNodes.size, 'node')} restarted ${windowPhrase}.`
        : `${plural(restarts, 'container restart')} ${restarts === 1 ? 'was' : 'were'} seen ${windowPhrase}, in ${formatCount(changed.size)} of ${plural(seen.size, 'container')}, within the ${maxRestarts} allowed.`;
    return { outcome: 'pass', measured: restarts, summary, evidence: changes };
  },
};

/**
 * Whether two sightings are one running instance: the same identity and start time. A container
 * of crucible's runtime is told by its pid; one of another runtime (pid 0) by its container ID.
 */
function sameInstance(a: GroundTruthContainer, b: GroundTruthContainer): boolean {
  return (a.containerId || a.pid) === (b.containerId || b.pid) && a.startedAt === b.startedAt;
}

function changeWords(before: SeenContainer, now: SeenContainer): string {
  const parts: string[] = [];
  if ((before.containerId || now.containerId) && before.containerId !== now.containerId)
    parts.push(
      `container ${before.containerId ?? `pid ${before.pid}`} → ${now.containerId ?? `pid ${now.pid}`}`,
    );
  else if (before.pid !== now.pid) parts.push(`pid ${before.pid} → ${now.pid}`);
  if (before.startedAt !== now.startedAt) parts.push(`started at ${before.startedAt} → ${now.startedAt}`);
  if (before.restarts !== now.restarts) parts.push(`restarts ${before.restarts} → ${now.restarts}`);
  return parts.join(', ');
}
