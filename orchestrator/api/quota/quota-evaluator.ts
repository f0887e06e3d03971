/**
 * What an object consumes of a ResourceQuota, after Kubernetes' quota evaluators
 * (pkg/quota/v1/evaluator/core and the generic object-count evaluator). The apiserver's quota
 * admission and the resourcequota controller both count with these, so a charge made at
 * admission and a recount by the controller agree.
 */
import { RESOURCES, type ResourceType } from '../resources.js';
import type { Container, KubeObject, Pod, ResourceQuota, Service } from '../types.js';
import { Quantity } from './quantity.js';
import {
  addResources,
  maskResources,
  maxResources,
  parseResourceList,
  type ResourceList,
} from './resource-list.js';

/** One term of a quota's scopes: `spec.scopes` entries are `Exists` terms. */
export interface ScopeRequirement {
  scopeName: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** The quota knowledge of one resource. */
export interface QuotaEvaluator {
  readonly resource: ResourceType;
  /** The names among `names` (a quota's hard resources) that this resource is counted in. */
  matchingResources(names: Iterable<string>): string[];
  /** What `obj` consumes, in every name it is counted in. `now` decides whether a terminating pod still counts. */
  usage(obj: KubeObject, now: Date): ResourceList;
  /**
   * Why `obj` may not be created under a quota that limits `limited` (names this evaluator
   * matched), in Kubernetes' words (`must specify requests.cpu`), or undefined.
   */
  constraintViolation(limited: readonly string[], obj: KubeObject): string | undefined;
  /** Whether `obj` falls within one scope term of a quota. */
  matchesScope(scope: ScopeRequirement, obj: KubeObject): boolean;
}

/** Kinds whose legacy object-count name predates `count/<resource>`. */
const LEGACY_COUNT_NAMES = new Set(['services', 'configmaps', 'secrets', 'resourcequotas']);
/** Not quota-tracked by default (kube-controller-manager's ignored resources). */
const IGNORED_RESOURCES = new Set(['/events']);
const POD_RESOURCES = new Set([
  'count/pods',
  'pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);
const POD_RESOURCE_PREFIXES = ['hugepages-', 'requests.hugepages-'];
/** What a quota on cpu or memory obliges every container to state (a backward-compatibility rule of Kubernetes). */
const CONTAINER_REQUIRED = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);
const SERVICE_RESOURCES = new Set([
  'count/services',
  'services',
  'services.nodeports',
  'services.loadbalancers',
]);
const ONE = Quantity.count(1);

/** The object-count name of `r`: `count/pods`, `count/deployments.apps`. */
export function objectCountName(r: ResourceType): string {
  return r.group ? `count/${r.resource}.${r.group}` : `count/${r.resource}`;
}

/** The evaluator of `r`, or undefined for what quota does not track (cluster-scoped resources, events). */
export function quotaEvaluator(r: ResourceType): QuotaEvaluator | undefined {
  if (!r.namespaced || IGNORED_RESOURCES.has(`${r.group}/${r.resource}`)) return undefined;
  if (!r.group && r.resource === 'pods') return podEvaluator(r);
  if (!r.group && r.resource === 'services') return serviceEvaluator(r);
  return objectCountEvaluator(r);
}

/** The evaluators of every resource quota tracks. */
export function quotaEvaluators(): QuotaEvaluator[] {
  return RESOURCES.map(quotaEvaluator).filter((e): e is QuotaEvaluator => e !== undefined);
}

/** A quota's scope terms: `spec.scopes` as `Exists` terms, then `spec.scopeSelector`'s. */
export function quotaScopes(quota: ResourceQuota): ScopeRequirement[] {
  const spec = quota.spec as
    { scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeRequirement[] } } | undefined;
  return [
    ...(spec?.scopes ?? []).map((scopeName): ScopeRequirement => ({ scopeName, operator: 'Exists' })),
    ...(spec?.scopeSelector?.matchExpressions ?? []),
  ];
}

/** The names of `quota.spec.hard` that `evaluator`'s resource is counted in. */
export function trackedResources(quota: ResourceQuota, evaluator: QuotaEvaluator): string[] {
  return evaluator.matchingResources(Object.keys(quota.spec?.hard ?? {}));
}

/** Whether `quota` counts `obj`: it limits something `obj` is counted in, and `obj` is in every scope. */
export function quotaCovers(quota: ResourceQuota, evaluator: QuotaEvaluator, obj: KubeObject): boolean {
  return (
    trackedResources(quota, evaluator).length > 0 &&
    quotaScopes(quota).every((scope) => evaluator.matchesScope(scope, obj))
  );
}

/**
 * What `objects` (of the evaluator's resource, in the quota's namespace) use of `quota`: every
 * tracked name of `spec.hard`, zero when nothing uses it.
 */
export function quotaUsage(
  quota: ResourceQuota,
  evaluator: QuotaEvaluator,
  objects: Iterable<KubeObject>,
  now: Date,
): ResourceList {
  const tracked = trackedResources(quota, evaluator);
  let used: ResourceList = Object.fromEntries(tracked.map((name) => [name, Quantity.ZERO]));
  if (tracked.length === 0) return used;
  const scopes = quotaScopes(quota);
  for (const obj of objects) {
    if (scopes.every((scope) => evaluator.matchesScope(scope, obj))) {
      used = addResources(used, maskResources(evaluator.usage(obj, now), tracked));
    }
  }
  return used;
}

function objectCountEvaluator(r: ResourceType): QuotaEvaluator {
  const names = [objectCountName(r), ...(!r.group && LEGACY_COUNT_NAMES.has(r.resource) ? [r.resource] : [])];
  return {
    resource: r,
    matchingResources: (input) => [...input].filter((name) => names.includes(name)),
    usage: () => Object.fromEntries(names.map((name) => [name, ONE])),
    constraintViolation: () => undefined,
    // Scopes are about pods: a scoped quota counts nothing else.
    matchesScope: () => false,
  };
}

function serviceEvaluator(r: ResourceType): QuotaEvaluator {
  return {
    resource: r,
    matchingResources: (input) => [...input].filter((name) => SERVICE_RESOURCES.has(name)),
    usage: (obj) => serviceUsage(obj as Service),
    constraintViolation: () => undefined,
    matchesScope: () => false,
  };
}

/** A NodePort or LoadBalancer service takes a node port per port, which it will be allocated. */
function serviceUsage(svc: Service): ResourceList {
  const usage: Record<string, Quantity> = { 'count/services': ONE, services: ONE };
  const spec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  if (spec.type === 'NodePort') usage['services.nodeports'] = Quantity.count(ports.length);
  if (spec.type === 'LoadBalancer') {
    // With node ports not allocated for load balancers, only explicitly requested ones count.
    const counted =
      spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p.nodePort).length : ports.length;
    usage['services.nodeports'] = Quantity.count(counted);
    usage['services.loadbalancers'] = ONE;
  }
  return usage;
}

function podEvaluator(r: ResourceType): QuotaEvaluator {
  return {
    resource: r,
    matchingResources: (input) =>
      [...input].filter(
        (name) =>
          POD_RESOURCES.has(name) ||
          POD_RESOURCE_PREFIXES.some((prefix) => name.startsWith(prefix)) ||
          isExtendedResourceQuotaName(name),
      ),
    usage: (obj, now) => podUsage(obj as Pod, now),
    constraintViolation: (limited, obj) => podConstraintViolation(limited, obj as Pod),
    matchesScope: (scope, obj) => podMatchesScope(scope, obj as Pod),
  };
}

/**
 * Every pod in storage counts in `count/pods`; only a pod that is not finished, and not stuck
 * terminating beyond its grace period, counts in `pods` and in compute resources (Kubernetes'
 * QuotaV1Pod), so a lost node's pods do not block their replacements.
 */
function podUsage(pod: Pod, now: Date): ResourceList {
  const objectCount: ResourceList = { 'count/pods': ONE };
  if (!podCountsInCompute(pod, now)) return objectCount;
  let requests: ResourceList = {};
  let limits: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) {
    requests = addResources(requests, parseResourceList(c.resources?.requests));
    limits = addResources(limits, parseResourceList(c.resources?.limits));
  }
  // Init containers run one at a time before the others: the largest of them competes with the sum.
  for (const c of pod.spec?.initContainers ?? []) {
    requests = maxResources(requests, parseResourceList(c.resources?.requests));
    limits = maxResources(limits, parseResourceList(c.resources?.limits));
  }
  const overhead = parseResourceList(pod.spec?.overhead as Record<string, string> | undefined);
  return {
    ...objectCount,
    ...computeUsage(addResources(requests, overhead), addResources(limits, overhead)),
  };
}

function podCountsInCompute(pod: Pod, now: Date): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const until = podChargedUntil(pod);
  return until === undefined || now.getTime() <= until;
}

/** When a terminating pod stops being charged (its deletion time plus its grace period), if it is terminating. */
export function podChargedUntil(pod: Pod): number | undefined {
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata;
  if (!deletionTimestamp || deletionGracePeriodSeconds === undefined) return undefined;
  return Date.parse(deletionTimestamp) + deletionGracePeriodSeconds * 1000;
}

/** The quota names of a pod's (or a container's) requests and limits: Kubernetes' podComputeUsageHelper. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const usage: Record<string, Quantity> = { pods: ONE };
  for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[name]) {
      usage[name] = requests[name];
      usage[`requests.${name}`] = requests[name];
    }
    if (limits[name]) usage[`limits.${name}`] = limits[name];
  }
  for (const [name, q] of Object.entries(requests)) {
    if (name.startsWith('hugepages-')) {
      usage[name] = q;
      usage[`requests.${name}`] = q;
    }
    if (isExtendedResourceName(name)) usage[`requests.${name}`] = q;
  }
  return usage;
}

/** A quota on cpu or memory requires each container to state it; missing names are listed sorted, comma-joined. */
function podConstraintViolation(limited: readonly string[], pod: Pod): string | undefined {
  const required = limited.filter((name) => CONTAINER_REQUIRED.has(name));
  if (required.length === 0) return undefined;
  const missing = new Set<string>();
  const containers: Container[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    const stated = computeUsage(
      parseResourceList(c.resources?.requests),
      parseResourceList(c.resources?.limits),
    );
    for (const name of required) if (!stated[name]) missing.add(name);
  }
  return missing.size ? `must specify ${[...missing].sort().join(',')}` : undefined;
}

function podMatchesScope(scope: ScopeRequirement, pod: Pod): boolean {
  switch (scope.scopeName) {
    case 'Terminating':
      return isTerminating(pod);
    case 'NotTerminating':
      return !isTerminating(pod);
    case 'BestEffort':
      return isBestEffort(pod);
    case 'NotBestEffort':
      return !isBestEffort(pod);
    case 'PriorityClass': {
      const priorityClass = (pod.spec?.priorityClassName as string | undefined) ?? '';
      if (scope.operator === 'Exists') return priorityClass !== '';
      if (scope.operator === 'In') return (scope.values ?? []).includes(priorityClass);
      if (scope.operator === 'NotIn') return !(scope.values ?? []).includes(priorityClass);
      // Kubernetes matches against a label set that always has the key: DoesNotExist never matches.
      return false;
    }
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespacePodAffinity(pod);
    default:
      return false;
  }
}

/** Terminating: a pod with an active deadline, which ends on its own. */
function isTerminating(pod: Pod): boolean {
  const deadline = pod.spec?.activeDeadlineSeconds;
  return typeof deadline === 'number' && deadline >= 0;
}

/** BestEffort QoS: no container requests or limits any cpu or memory. */
function isBestEffort(pod: Pod): boolean {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return containers.every((c) =>
    [c.resources?.requests, c.resources?.limits].every((list) => {
      const parsed = parseResourceList(list);
      return !['cpu', 'memory'].some((name) => parsed[name] && !parsed[name].isZero());
    }),
  );
}

interface PodAffinityTerm {
  namespaces?: string[];
  namespaceSelector?: unknown;
}

function usesCrossNamespacePodAffinity(pod: Pod): boolean {
  const affinity = pod.spec?.affinity as
    | Record<
        string,
        | {
            requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
            preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm?: PodAffinityTerm }[];
          }
        | undefined
      >
    | undefined;
  const crossNamespace = (t: PodAffinityTerm | undefined) =>
    Boolean(t && ((t.namespaces?.length ?? 0) > 0 || t.namespaceSelector));
  return ['podAffinity', 'podAntiAffinity'].some((kind) => {
    const a = affinity?.[kind];
    return (
      (a?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(crossNamespace) ||
      (a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((w) =>
        crossNamespace(w.podAffinityTerm),
      )
    );
  });
}

/** An extended resource (`example.com/gpu`): prefixed, and not in the kubernetes.io namespace. */
function isExtendedResourceName(name: string): boolean {
  return name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');
}

/** Extended resources are quota'd only as `requests.<name>`, having no overcommit. */
function isExtendedResourceQuotaName(name: string): boolean {
  return name.startsWith('requests.') && name.includes('/') && !name.includes('kubernetes.io/');
}
