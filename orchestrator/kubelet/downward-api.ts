import { quantityValue } from '../api/schemas/index.js';
import type { Container, Pod, ResourceFieldSelector } from '../api/types.js';

/** What the downward API reads besides the pod itself: where it runs and what the node offers. */
export interface NodeFacts {
  nodeName: string;
  nodeIp: string;
  /** The node's allocatable cpu and memory: a limit that is not set reads as these, as upstream. */
  allocatable: { cpu?: string; memory?: string };
}

const SUBSCRIPTED = /^metadata\.(labels|annotations)\['([^']+)'\]$/;

/** `metadata.labels` and `metadata.annotations` as a downward API file writes them: sorted `k="v"` lines. */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}

/**
 * The value of one pod field (`fieldRef.fieldPath`) as an environment variable or a downward API
 * file shows it; undefined for a path admission would not have let through.
 */
export function podFieldValue(pod: Pod, fieldPath: string, node: NodeFacts): string | undefined {
  const meta = pod.metadata;
  const subscripted = SUBSCRIPTED.exec(fieldPath);
  if (subscripted) {
    const map = subscripted[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[subscripted[2]!] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? node.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    // Pods share their node's address.
    case 'status.hostIP':
    case 'status.hostIPs':
    case 'status.podIP':
    case 'status.podIPs':
      return node.nodeIp;
    default:
      return undefined;
  }
}

/**
 * A container's request or limit (`resourceFieldRef`) in units of its divisor, rounded up, as
 * Kubernetes' ExtractContainerResourceValue: an unset cpu or memory limit reads as the node's
 * allocatable, an unset request as 0 (or, for a request, its limit when only that is set).
 */
export function resourceFieldValue(
  pod: Pod,
  container: Container | undefined,
  ref: ResourceFieldSelector,
  node: NodeFacts,
): string | undefined {
  const target = ref.containerName
    ? [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === ref.containerName)
    : container;
  if (!target) return undefined;
  const [kind, resource] = ref.resource.split('.') as ['limits' | 'requests', string];
  const requests = target.resources?.requests ?? {};
  const limits = target.resources?.limits ?? {};
  let raw: string | number | undefined =
    kind === 'limits' ? limits[resource] : (requests[resource] ?? limits[resource]);
  if (raw === undefined && kind === 'limits')
    raw =
      resource === 'cpu' ? node.allocatable.cpu : resource === 'memory' ? node.allocatable.memory : undefined;
  const value = raw === undefined ? 0 : (quantityValue(raw) ?? 0);
  const divisor = ref.divisor === undefined ? 1 : (quantityValue(ref.divisor) ?? 1);
  return String(Math.ceil(value / divisor - 1e-9));
}
