import { tolerates } from '../api/taints.js';
import { matchesRequiredNodeAffinity } from '../api/node-affinity.js';
import type { Pod } from '../api/types.js';
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
export const requiredAffinityMatches: Filter = (pod, { node }) =>
  matchesRequiredNodeAffinity(pod.spec, node)
    ? undefined
    : "node(s) didn't match Pod's node affinity/selector";

/** The filters in the order kube-scheduler runs their equivalents. */
export const DEFAULT_FILTERS: readonly Filter[] = [
  nodeReady,
  nodeSelectorMatches,
  requiredAffinityMatches,
  taintsTolerated,
  resourcesFit,
];
