import type { Deployment, KubeObject, ReplicaSet } from '../api/types.js';

/** Which rollout a ReplicaSet (and its Deployment) stands for: 1, 2, … as templates change. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** The earlier revisions a ReplicaSet served, comma-separated, kept when a rollback reuses it. */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
/** The Deployment's spec.replicas when it last sized this ReplicaSet; a difference means "scaling event". */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
/** spec.replicas + maxSurge when it last sized this ReplicaSet: the base of proportional scaling. */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** Deployment annotations that are the controller's own bookkeeping, never copied to a ReplicaSet. */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** Kubernetes limits the revision-history annotation to about 2000 characters. */
const MAX_REVISION_HISTORY_CHARS = 2000;

/** The revision of a ReplicaSet or Deployment: 0 without the annotation, NaN when it is not a number. */
export function revisionOf(obj: KubeObject | undefined): number {
  const v = obj?.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^\d+$/.test(v) ? Number(v) : NaN;
}

/** The highest revision among `replicaSets` (0 for none); unparsable ones are skipped. */
export function maxRevision(replicaSets: readonly ReplicaSet[]): number {
  return replicaSets.reduce((max, rs) => {
    const r = revisionOf(rs);
    return Number.isNaN(r) ? max : Math.max(max, r);
  }, 0);
}

/** An integer annotation of a ReplicaSet, or undefined when absent or not an integer. */
export function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * The annotations a ReplicaSet should carry for its sizing: `annotations` with desired-replicas
 * and max-replicas set. Returns undefined when they already say so.
 */
export function withReplicasAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  desired: number,
  max: number,
): Record<string, string> | undefined {
  const current = annotations ?? {};
  if (
    current[DESIRED_REPLICAS_ANNOTATION] === String(desired) &&
    current[MAX_REPLICAS_ANNOTATION] === String(max)
  ) {
    return undefined;
  }
  return {
    ...current,
    [DESIRED_REPLICAS_ANNOTATION]: String(desired),
    [MAX_REPLICAS_ANNOTATION]: String(max),
  };
}

/**
 * The annotations of a Deployment's new ReplicaSet (Kubernetes' SetNewReplicaSetAnnotations):
 * the Deployment's own annotations copied except the controller's bookkeeping; the revision
 * raised to `newRevision` if lower, remembering the revision it replaces in revision-history (a
 * rollback reusing an old ReplicaSet); and, for a ReplicaSet about to be created, the sizing
 * annotations. Returns undefined when nothing changes.
 */
export function newReplicaSetAnnotations(
  d: Deployment,
  rsAnnotations: Readonly<Record<string, string>> | undefined,
  newRevision: number,
  sizing?: { desired: number; max: number },
): Record<string, string> | undefined {
  const next: Record<string, string> = { ...rsAnnotations };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || next[k] === v) continue;
    next[k] = v;
    changed = true;
  }
  const oldRevision = next[REVISION_ANNOTATION];
  if (oldRevision !== undefined && !/^\d+$/.test(oldRevision)) return undefined;
  const old = oldRevision === undefined ? 0 : Number(oldRevision);
  if (old < newRevision) {
    next[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) {
      const history = appendRevisionHistory(next[REVISION_HISTORY_ANNOTATION], oldRevision);
      if (history !== undefined) next[REVISION_HISTORY_ANNOTATION] = history;
    }
  }
  if (sizing) {
    const sized = withReplicasAnnotations(next, sizing.desired, sizing.max);
    if (sized) return sized;
  }
  return changed ? next : undefined;
}

/** `history` with `revision` appended, dropping the oldest entries to stay within the limit. */
function appendRevisionHistory(history: string | undefined, revision: string): string | undefined {
  if (!history) return revision;
  const entries = history.split(',');
  let total = history.length + revision.length + 1;
  let start = 0;
  while (total > MAX_REVISION_HISTORY_CHARS && start < entries.length) total -= entries[start++]!.length + 1;
  return total <= MAX_REVISION_HISTORY_CHARS ? [...entries.slice(start), revision].join(',') : undefined;
}
