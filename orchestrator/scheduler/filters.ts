import { tolerates } from '../api/taints.js';
import type { NodeSelectorRequirement, Pod } from '../api/types.js';
import { podRequests, type NodeInfo } from './node-info.js';

/** A filter returns why the pod cannot go to the node, or undefined when it can. */
export type Filter = (pod: Pod, node: NodeInfo) => string | undefined;

/** Node Ready=True, not cordoned. */
export const nodeReady: Filter = (_pod, { node }) => {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return 'node(s) were not ready';
  if (node.spec?.unschedulable) return 'node(s) were unschedulable';
  return undefined;
};

/** Every NoSchedule and NoExecute taint of the node is tolerated by the pod. */
export const taintsTolerated: Filter = (pod, { node }) => {
  const untolerated = (node.spec?.taints ?? []).find(
    (t) =>
      (t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      !(pod.spec.tolerations ?? []).some((tol) => tolerates(tol, t)),
  );
  return untolerated
    ? `node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`
    : undefined;
};

/** Requests fit in allocatable minus what is already bound or assumed on the node. */
export const resourcesFit: Filter = (pod, info) => {
  const want = podRequests(pod);
  const free = info.allocatable;
  const short: string[] = [];
  if (info.requested.pods + 1 > free.pods) short.push('Too many pods');
  if (want.cpu > 0 && info.requested.cpu + want.cpu > free.cpu) short.push('Insufficient cpu');
  if (want.memory > 0 && info.requested.memory + want.memory > free.memory) short.push('Insufficient memory');
  return short.length ? short.join(', ') : undefined;
};

/** spec.nodeSelector labels all present on the node. */
export const nodeSelectorMatches: Filter = (pod, { node }) => {
  const labels = node.metadata.labels ?? {};
  const mismatch = Object.entries(pod.spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v);
  return mismatch ? "node(s) didn't match Pod's node affinity/selector" : undefined;
};

/** requiredDuringSchedulingIgnoredDuringExecution: any one term must match (terms are ORed). */
export const requiredAffinityMatches: Filter = (pod, { node }) => {
  const terms =
    pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const labels = node.metadata.labels ?? {};
  const fields: Record<string, string> = { 'metadata.name': node.metadata.name ?? '' };
  const ok = terms.some(
    (term) =>
      (term.matchExpressions?.length || term.matchFields?.length) &&
      (term.matchExpressions ?? []).every((r) => requirementMatches(r, labels)) &&
      (term.matchFields ?? []).every((r) => requirementMatches(r, fields)),
  );
  return ok ? undefined : "node(s) didn't match Pod's node affinity/selector";
};

function requirementMatches(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const value = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** The filters in the order kube-scheduler runs their equivalents. */
export const DEFAULT_FILTERS: readonly Filter[] = [
  nodeReady,
  nodeSelectorMatches,
  requiredAffinityMatches,
  taintsTolerated,
  resourcesFit,
];
