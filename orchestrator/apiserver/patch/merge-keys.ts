/**
 * The patch strategies of list (and a few map) fields of the kinds this apiserver serves, as
 * declared by the `patchStrategy`/`patchMergeKey` struct tags of k8s.io/api (v1.32), plus the
 * small type graph needed to know which struct a nested field belongs to. Both strategic merge
 * patch and server-side apply read it.
 *
 * A field is named `Type.field`, where `Type` is the Go struct that declares it. Structs embedded
 * in several places (a pod spec is a Pod's `spec` and a Deployment's `spec.template.spec`) are
 * therefore described once. Fields that are absent here have no strategy: maps are merged key
 * by key, lists are replaced as a whole (atomic).
 */

/** How one field is patched. */
export interface PatchMeta {
  /**
   * `merge`: a list merged element by element (by `patchMergeKey` for lists of objects, by value
   * for lists of primitives), or a map merged key by key (the default for maps); `replace`: replaced as a whole, the default for lists;
   * `retainKeys`: a map (a union such as a Deployment's `spec.strategy`) for which kubectl sends
   * a `$retainKeys` directive so that the server clears the members it does not list.
   */
  patchStrategy: 'merge' | 'replace' | 'retainKeys';
  /** The member that identifies an element of a merged list of objects. */
  patchMergeKey?: string;
  /** Set when the tag is `merge,retainKeys`: the elements are unions, as for `patchStrategy: 'retainKeys'`. */
  retainKeys?: true;
  /**
   * The server-side apply identity of an element (`x-kubernetes-list-map-keys`) when it is more
   * than `patchMergeKey`; server-side apply uses `[patchMergeKey]` otherwise.
   */
  listMapKeys?: readonly string[];
  /** Values that server-side apply assumes for key members an element leaves out (OpenAPI defaults). */
  keyDefaults?: Readonly<Record<string, string | number>>;
  /**
   * `atomic` for a struct marked `+structType=atomic`: server-side apply owns and replaces it as
   * one value, while strategic merge patch still merges it as a map.
   */
  structType?: 'atomic';
}

const merge = (patchMergeKey?: string, extra: Partial<PatchMeta> = {}): PatchMeta =>
  patchMergeKey === undefined
    ? { patchStrategy: 'merge', ...extra }
    : { patchStrategy: 'merge', patchMergeKey, ...extra };
const atomic: PatchMeta = { patchStrategy: 'replace' };

/** Patch strategies by `Type.field`. */
export const mergeKeys: Readonly<Record<string, PatchMeta>> = Object.freeze({
  'ObjectMeta.finalizers': merge(),
  'ObjectMeta.ownerReferences': merge('uid'),

  'PodSpec.volumes': merge('name', { retainKeys: true }),
  'PodSpec.initContainers': merge('name'),
  'PodSpec.containers': merge('name'),
  'PodSpec.ephemeralContainers': merge('name'),
  'PodSpec.imagePullSecrets': merge('name'),
  'PodSpec.hostAliases': merge('ip'),
  'PodSpec.topologySpreadConstraints': merge('topologyKey', {
    listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
  }),
  'PodSpec.schedulingGates': merge('name'),
  'PodSpec.resourceClaims': merge('name', { retainKeys: true }),
  // No tag upstream: listed to document that tolerations are replaced as a whole.
  'PodSpec.tolerations': atomic,

  'Container.ports': merge('containerPort', {
    listMapKeys: ['containerPort', 'protocol'],
    keyDefaults: { protocol: 'TCP' },
  }),
  'Container.env': merge('name'),
  'Container.volumeMounts': merge('mountPath'),
  'Container.volumeDevices': merge('devicePath'),

  'PodStatus.conditions': merge('type'),
  'PodStatus.podIPs': merge('ip'),
  'PodStatus.hostIPs': merge('ip'),
  'PodStatus.resourceClaimStatuses': merge('name', { retainKeys: true }),

  'ServiceSpec.ports': merge('port', { listMapKeys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } }),
  'ServiceStatus.conditions': merge('type'),

  'NodeSpec.podCIDRs': merge(),
  // No tag upstream: listed to document that taints are replaced as a whole.
  'NodeSpec.taints': atomic,
  'NodeStatus.conditions': merge('type'),
  'NodeStatus.addresses': merge('type'),

  'NamespaceStatus.conditions': merge('type'),

  'ServiceAccount.secrets': merge('name'),

  'DeploymentSpec.strategy': { patchStrategy: 'retainKeys' },
  // metav1.LabelSelector is +structType=atomic.
  'DeploymentSpec.selector': { patchStrategy: 'merge', structType: 'atomic' },
  'ReplicaSetSpec.selector': { patchStrategy: 'merge', structType: 'atomic' },
  'DeploymentStatus.conditions': merge('type'),
  'ReplicaSetStatus.conditions': merge('type'),
  'StatefulSetSpec.selector': { patchStrategy: 'merge', structType: 'atomic' },
  'StatefulSetStatus.conditions': merge('type'),
  'DaemonSetSpec.selector': { patchStrategy: 'merge', structType: 'atomic' },
  'DaemonSetStatus.conditions': merge('type'),
  'JobSpec.selector': { patchStrategy: 'merge', structType: 'atomic' },
  'JobStatus.conditions': merge('type'),
});

/** Struct type of a nested field, by `Type.field`; a list field names the type of its elements. */
export const fieldTypes: Readonly<Record<string, string>> = Object.freeze({
  'Object.metadata': 'ObjectMeta',
  'PodTemplateSpec.metadata': 'ObjectMeta',
  'PodTemplateSpec.spec': 'PodSpec',

  'Pod.spec': 'PodSpec',
  'Pod.status': 'PodStatus',
  'PodSpec.initContainers': 'Container',
  'PodSpec.containers': 'Container',
  'PodSpec.ephemeralContainers': 'Container',

  'Deployment.spec': 'DeploymentSpec',
  'Deployment.status': 'DeploymentStatus',
  'DeploymentSpec.template': 'PodTemplateSpec',
  'ReplicaSet.spec': 'ReplicaSetSpec',
  'ReplicaSet.status': 'ReplicaSetStatus',
  'ReplicaSetSpec.template': 'PodTemplateSpec',
  'StatefulSet.spec': 'StatefulSetSpec',
  'StatefulSet.status': 'StatefulSetStatus',
  'StatefulSetSpec.template': 'PodTemplateSpec',
  'DaemonSet.spec': 'DaemonSetSpec',
  'DaemonSet.status': 'DaemonSetStatus',
  'DaemonSetSpec.template': 'PodTemplateSpec',
  'Job.spec': 'JobSpec',
  'Job.status': 'JobStatus',
  'JobSpec.template': 'PodTemplateSpec',
  'CronJob.spec': 'CronJobSpec',
  'CronJob.status': 'CronJobStatus',
  'CronJobSpec.jobTemplate': 'JobTemplateSpec',
  'JobTemplateSpec.metadata': 'ObjectMeta',
  'JobTemplateSpec.spec': 'JobSpec',

  'Service.spec': 'ServiceSpec',
  'Service.status': 'ServiceStatus',
  'Node.spec': 'NodeSpec',
  'Node.status': 'NodeStatus',
  'Namespace.status': 'NamespaceStatus',
});

/** The kinds described above; any other kind only gets the ObjectMeta rules. */
const KINDS: ReadonlySet<string> = new Set([
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Service',
  'Endpoints',
  'ConfigMap',
  'Namespace',
  'Node',
  'ResourceQuota',
  'ServiceAccount',
  'Event',
  'Lease',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
]);

/** The struct type at the root of an object of `kind`: the kind itself, or `Object` for kinds not described. */
export function rootTypeOf(kind: string): string {
  return KINDS.has(kind) ? kind : 'Object';
}

/** What is known of one field: its struct type (if it is a described struct) and its patch strategy. */
export interface FieldSchema {
  type: string | undefined;
  meta: PatchMeta | undefined;
}

/**
 * Looks up `field` of struct `type`. An undescribed type or field yields `{type: undefined,
 * meta: undefined}`: merge maps, replace lists. Every object root has the `ObjectMeta` metadata.
 */
export function lookupField(type: string | undefined, field: string): FieldSchema {
  if (type === undefined) return { type: undefined, meta: undefined };
  const name = `${type}.${field}`;
  const nested = fieldTypes[name] ?? (field === 'metadata' && KINDS.has(type) ? 'ObjectMeta' : undefined);
  return { type: nested, meta: mergeKeys[name] };
}
