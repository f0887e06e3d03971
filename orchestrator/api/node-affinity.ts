import type { Node, NodeSelectorRequirement, PodSpec } from './types.js';

/**
 * Whether `node` satisfies the required node affinity of a pod spec: any one term (terms are
 * ORed), each term's label expressions and field requirements all matching. The scheduler filters
 * with it; the DaemonSet controller asks it which nodes should run a daemon pod.
 */
export function matchesRequiredNodeAffinity(spec: Pick<PodSpec, 'affinity'>, node: Node): boolean {
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  const fields: Record<string, string> = { 'metadata.name': node.metadata.name ?? '' };
  return terms.some(
    (term) =>
      Boolean(term.matchExpressions?.length || term.matchFields?.length) &&
      (term.matchExpressions ?? []).every((r) => requirementMatches(r, labels)) &&
      (term.matchFields ?? []).every((r) => requirementMatches(r, fields)),
  );
}

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
