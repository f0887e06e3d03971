import { tolerates } from '../api/taints.js';
import type { DaemonSet, Node, Pod, PodSpec, Toleration } from '../api/types.js';
import { matchesRequiredNodeAffinity } from '../api/node-affinity.js';

/**
 * The tolerations every daemon pod gets (Kubernetes' AddOrUpdateDaemonPodTolerations): it stays on
 * a node that is not ready, unreachable, under pressure or cordoned — the daemon is part of the node.
 */
export const DAEMON_TOLERATIONS: readonly Toleration[] = Object.freeze([
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
]);

/** `tolerations` with the daemon tolerations added where the same key and effect is not there. */
export function withDaemonTolerations(tolerations: Toleration[] = []): Toleration[] {
  const out = [...tolerations];
  for (const t of DAEMON_TOLERATIONS) {
    if (!out.some((x) => x.key === t.key && x.effect === t.effect)) out.push({ ...t });
  }
  return out;
}

/**
 * Whether a daemon pod should be placed on `node` (shouldRun), and whether one already there may
 * stay (shouldContinueRunning), as Kubernetes' NodeShouldRunDaemonPod decides: nodeSelector and
 * required node affinity must match, NoSchedule taints keep new pods off, NoExecute taints also
 * drive existing ones away, each unless tolerated (the daemon tolerations included).
 */
export function nodeShouldRunDaemonPod(
  ds: DaemonSet,
  node: Node,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec.template.spec;
  const labels = node.metadata.labels ?? {};
  const selected = Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
  if (!selected || !matchesRequiredNodeAffinity(spec, node)) {
    return { shouldRun: false, shouldContinueRunning: false };
  }
  const tolerations = withDaemonTolerations(spec.tolerations);
  const untolerated = (effect: string) =>
    (node.spec?.taints ?? []).some(
      (taint) => taint.effect === effect && !tolerations.some((t) => tolerates(t, taint)),
    );
  if (untolerated('NoExecute')) return { shouldRun: false, shouldContinueRunning: false };
  return { shouldRun: !untolerated('NoSchedule'), shouldContinueRunning: true };
}

/**
 * The node a daemon pod is for: its nodeName once bound, else the node its affinity pins it to
 * (the controller creates pods with a `metadata.name` field term, and the scheduler binds them).
 */
export function targetNode(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/**
 * The pod spec for `node` (Kubernetes' ReplaceDaemonSetPodNodeNameNodeAffinity): the template's
 * required node affinity replaced by one term naming the node, and the daemon tolerations.
 */
export function daemonPodSpec(template: PodSpec, node: string): PodSpec {
  const spec = structuredClone(template);
  spec.tolerations = withDaemonTolerations(spec.tolerations);
  spec.affinity = {
    ...spec.affinity,
    nodeAffinity: {
      ...spec.affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      },
    },
  };
  return spec;
}
