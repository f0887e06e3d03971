import { RESOURCES, ALL_VERBS, apiVersionOf, groupVersions, type ResourceType } from '../api/resources.js';
import {
  METRICS_API_VERSION,
  METRICS_GROUP,
  METRICS_RESOURCES,
  METRICS_VERBS,
  METRICS_VERSION,
} from '../api/resource-metrics.js';
import { convertedVersionsOf, resourcesConvertedTo } from './served-version.js';

/** The Kubernetes version crucible's API follows; kubectl warns on a skew of more than one minor. */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0+crucible' };

export function versionInfo(): Record<string, string> {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: 'crucible',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch}`,
  };
}

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/**
 * Groups served under /apis: the resource groups plus authorization.k8s.io (access reviews) and
 * metrics.k8s.io (the resource metrics, which kubectl top looks for here).
 */
export function apiGroupList(): unknown {
  const groups = groupVersions()
    .filter((gv) => gv.group !== '')
    .map((gv) => apiGroup(gv.group, gv.version));
  groups.push(apiGroup('authorization.k8s.io', 'v1'));
  groups.push(apiGroup(METRICS_GROUP, METRICS_VERSION));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(group: string, version: string): Record<string, unknown> {
  const gv = { groupVersion: `${group}/${version}`, version };
  // The preferred version first, then the older ones served by conversion, as kube-apiserver lists them.
  const older = convertedVersionsOf(group).map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [gv, ...older], preferredVersion: gv };
}

export function isServedGroup(group: string): boolean {
  return (
    group === 'authorization.k8s.io' || group === METRICS_GROUP || RESOURCES.some((r) => r.group === group)
  );
}

/** The version `/apis/{group}` prefers, for a served group. */
export function preferredVersion(group: string): string {
  if (group === METRICS_GROUP) return METRICS_VERSION;
  return groupVersions().find((gv) => gv.group === group)?.version ?? 'v1';
}

const subresourceVerbs: Record<
  string,
  { kind: (r: ResourceType) => string; verbs: string[]; group?: string; version?: string }
> = {
  status: { kind: (r) => r.kind, verbs: ['get', 'patch', 'update'] },
  scale: { kind: () => 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' },
  binding: { kind: () => 'Binding', verbs: ['create'] },
  log: { kind: () => 'Pod', verbs: ['get'] },
  proxy: { kind: () => 'NodeProxyOptions', verbs: ['get'] },
  // kubectl drain finds the eviction API here: pods/eviction with group and version (policy/v1).
  eviction: { kind: () => 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
  token: {
    kind: () => 'TokenRequest',
    verbs: ['create'],
    group: 'authentication.k8s.io',
    version: 'v1',
  },
};

/** APIResourceList for one group/version, including subresources, as kubectl's discovery reads it. */
export function apiResourceList(group: string, version: string): unknown | undefined {
  const groupVersion = group ? `${group}/${version}` : version;
  if (group === 'authorization.k8s.io' && version === 'v1') {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: [
        {
          name: 'selfsubjectaccessreviews',
          singularName: 'selfsubjectaccessreview',
          namespaced: false,
          kind: 'SelfSubjectAccessReview',
          verbs: ['create'],
        },
      ],
    };
  }
  if (groupVersion === METRICS_API_VERSION) return metricsResourceList();
  const served = [
    ...RESOURCES.filter((r) => apiVersionOf(r) === groupVersion),
    ...resourcesConvertedTo(groupVersion),
  ];
  if (served.length === 0) return undefined;
  const resources = served.flatMap((r) => [
    {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...ALL_VERBS],
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    },
    ...r.subresources.map((sub) => {
      const spec = subresourceVerbs[sub]!;
      return {
        name: `${r.resource}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(spec.group ? { group: spec.group, version: spec.version } : {}),
        kind: spec.kind(r),
        verbs: spec.verbs,
      };
    }),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

/**
 * metrics.k8s.io/v1beta1 as metrics-server lists it: read-only `nodes` and `pods`, the singular
 * names its storage gives (`node`, none for pods).
 */
function metricsResourceList(): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: METRICS_API_VERSION,
    resources: METRICS_RESOURCES.map((r) => ({
      name: r.resource,
      singularName: r.resource === 'nodes' ? 'node' : '',
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...METRICS_VERBS],
    })),
  };
}
