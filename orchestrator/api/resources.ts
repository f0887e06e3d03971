/**
 * The resource catalogue: what the apiserver serves and what clients address. Discovery,
 * routing, storage keys, RBAC and the typed client all read this one table.
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const ALL_VERBS: readonly Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export interface ResourceType {
  /** API group; '' for core. */
  group: string;
  version: string;
  kind: string;
  /** Plural, lower case: the URL segment and the RBAC resource name. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
}

export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'token' | 'proxy' | 'eviction';

const core = (
  kind: string,
  resource: string,
  namespaced: boolean,
  shortNames: string[] = [],
  subresources: Subresource[] = [],
  categories: string[] = [],
): ResourceType => ({
  group: '',
  version: 'v1',
  kind,
  resource,
  singular: kind.toLowerCase(),
  namespaced,
  shortNames,
  categories,
  subresources,
});

export const RESOURCES: readonly ResourceType[] = Object.freeze([
  core('Namespace', 'namespaces', false, ['ns'], ['status']),
  core('Node', 'nodes', false, ['no'], ['status', 'proxy']),
  core('Pod', 'pods', true, ['po'], ['status', 'binding', 'log', 'eviction'], ['all']),
  core('Service', 'services', true, ['svc'], ['status'], ['all']),
  core('Endpoints', 'endpoints', true, ['ep']),
  core('ConfigMap', 'configmaps', true, ['cm']),
  core('Secret', 'secrets', true),
  core('Event', 'events', true, ['ev']),
  core('ResourceQuota', 'resourcequotas', true, ['quota'], ['status']),
  core('ServiceAccount', 'serviceaccounts', true, ['sa'], ['token']),
  {
    ...core('Deployment', 'deployments', true, ['deploy'], ['status', 'scale'], ['all']),
    group: 'apps',
  },
  { ...core('ReplicaSet', 'replicasets', true, ['rs'], ['status', 'scale'], ['all']), group: 'apps' },
  {
    ...core('StatefulSet', 'statefulsets', true, ['sts'], ['status', 'scale'], ['all']),
    group: 'apps',
  },
  { ...core('DaemonSet', 'daemonsets', true, ['ds'], ['status'], ['all']), group: 'apps' },
  { ...core('ControllerRevision', 'controllerrevisions', true), group: 'apps' },
  { ...core('Job', 'jobs', true, [], ['status'], ['all']), group: 'batch' },
  { ...core('CronJob', 'cronjobs', true, ['cj'], ['status'], ['all']), group: 'batch' },
  {
    ...core('HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['hpa'], ['status'], ['all']),
    group: 'autoscaling',
    version: 'v2',
  },
  { ...core('Lease', 'leases', true), group: 'coordination.k8s.io' },
  { ...core('NetworkPolicy', 'networkpolicies', true, ['netpol']), group: 'networking.k8s.io' },
  {
    ...core('PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], ['status']),
    group: 'policy',
  },
  { ...core('Role', 'roles', true), group: 'rbac.authorization.k8s.io' },
  { ...core('RoleBinding', 'rolebindings', true), group: 'rbac.authorization.k8s.io' },
  { ...core('ClusterRole', 'clusterroles', false), group: 'rbac.authorization.k8s.io' },
  { ...core('ClusterRoleBinding', 'clusterrolebindings', false), group: 'rbac.authorization.k8s.io' },
]);

export function apiVersionOf(r: Pick<ResourceType, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Splits `apps/v1` into group and version; `v1` is the core group. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function findResource(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findKind(apiVersion: string, kind: string): ResourceType | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  return RESOURCES.find((r) => r.group === group && r.version === version && r.kind === kind);
}

export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...seen.values()];
}
