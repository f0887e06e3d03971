/**
 * Admission defaulting: the values Kubernetes' `SetDefaults_*` functions (and the
 * DefaultTolerationSeconds / Priority admission plugins for Pods) fill in, so that stored
 * objects read back exactly as they would from a real cluster. Defaulting is idempotent:
 * the apiserver applies it on every write, updates included.
 */
import type { KubeObject } from '../types.js';
import { isPlainObject } from './shape.js';

type Obj = Record<string, unknown>;

const objectAt = (parent: Obj, name: string): Obj | undefined =>
  isPlainObject(parent[name]) ? (parent[name] as Obj) : undefined;

const objectsAt = (parent: Obj | undefined, name: string): Obj[] =>
  parent && Array.isArray(parent[name]) ? (parent[name] as unknown[]).filter(isPlainObject) : [];

function ensureObject(parent: Obj, name: string): Obj {
  if (!isPlainObject(parent[name])) parent[name] = {};
  return parent[name] as Obj;
}

// Go's defaulters test for the zero value; absent, null and (where noted) 0 or '' are all zero.
function setDefault(o: Obj, name: string, value: unknown, zero: unknown[] = []): void {
  if (o[name] === undefined || o[name] === null || zero.includes(o[name])) o[name] = value;
}

/**
 * The pull policy Kubernetes picks for an image: `Always` for `:latest` or no tag at all,
 * `IfNotPresent` for any other tag or a digest.
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const last = name.slice(name.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  const tag = colon >= 0 ? last.slice(colon + 1) : at >= 0 || image === '' ? '' : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(probe: Obj | undefined): void {
  if (!probe) return;
  setDefault(probe, 'timeoutSeconds', 1, [0]);
  setDefault(probe, 'periodSeconds', 10, [0]);
  setDefault(probe, 'successThreshold', 1, [0]);
  setDefault(probe, 'failureThreshold', 3, [0]);
  const httpGet = objectAt(probe, 'httpGet');
  if (httpGet) {
    setDefault(httpGet, 'path', '/', ['']);
    setDefault(httpGet, 'scheme', 'HTTP', ['']);
  }
}

function defaultContainer(c: Obj): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(typeof c.image === 'string' ? c.image : ''), ['']);
  setDefault(c, 'terminationMessagePath', '/dev/termination-log', ['']);
  setDefault(c, 'terminationMessagePolicy', 'File', ['']);
  for (const port of objectsAt(c, 'ports')) setDefault(port, 'protocol', 'TCP', ['']);
  for (const which of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(objectAt(c, which));
  for (const env of objectsAt(c, 'env')) {
    const fieldRef = isPlainObject(env.valueFrom) ? objectAt(env.valueFrom, 'fieldRef') : undefined;
    if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1', ['']);
  }
}

const modeDefaulted = ['configMap', 'secret', 'projected', 'downwardAPI'];

function defaultVolume(v: Obj): void {
  const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
  if (sources.length === 0) v.emptyDir = {};
  for (const source of modeDefaulted) {
    const s = objectAt(v, source);
    if (s) setDefault(s, 'defaultMode', 0o644);
  }
}

/** SetDefaults_PodSpec and the container, probe and volume defaults: for pods and templates. */
function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst', ['']);
  setDefault(spec, 'restartPolicy', 'Always', ['']);
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler', ['']);
  for (const c of [...objectsAt(spec, 'initContainers'), ...objectsAt(spec, 'containers')])
    defaultContainer(c);
  for (const v of objectsAt(spec, 'volumes')) defaultVolume(v);
}

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
/** How long a pod stays bound to a NotReady or unreachable node before eviction. */
export const DEFAULT_TOLERATION_SECONDS = 300;

// As the DefaultTolerationSeconds plugin: an existing toleration that covers the taint wins.
function defaultTolerations(spec: Obj, opts: DefaultingOptions): void {
  const seconds: Record<string, number> = {
    [NOT_READY]: opts.notReadyTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
    [UNREACHABLE]: opts.unreachableTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
  };
  const tolerations = Array.isArray(spec.tolerations) ? (spec.tolerations as unknown[]) : [];
  const covers = (taint: string) =>
    tolerations.some(
      (t) => isPlainObject(t) && (t.key === taint || !t.key) && (t.effect === 'NoExecute' || !t.effect),
    );
  const added = [NOT_READY, UNREACHABLE]
    .filter((taint) => !covers(taint))
    .map((key) => ({
      key,
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: seconds[key],
    }));
  if (added.length > 0) spec.tolerations = [...tolerations, ...added];
}

/** The Pod-only part of SetDefaults_Pod, plus what admission plugins add to every Pod. */
function defaultPod(pod: Obj, opts: DefaultingOptions): void {
  const spec = ensureObject(pod, 'spec');
  defaultPodSpec(spec);
  setDefault(spec, 'enableServiceLinks', true);
  defaultTolerations(spec, opts);
  if (spec.priorityClassName === undefined || spec.priorityClassName === '') {
    setDefault(spec, 'priority', 0);
    setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority', ['']);
  }
  for (const c of [...objectsAt(spec, 'initContainers'), ...objectsAt(spec, 'containers')]) {
    // Only Pods, not templates, get requests copied from limits: a template is not yet scheduled.
    const resources = objectAt(c, 'resources');
    const limits = resources && objectAt(resources, 'limits');
    if (resources && limits) {
      const requests = ensureObject(resources, 'requests');
      for (const [name, q] of Object.entries(limits)) if (!(name in requests)) requests[name] = q;
    }
    if (spec.hostNetwork === true) {
      for (const port of objectsAt(c, 'ports')) setDefault(port, 'hostPort', port.containerPort, [0]);
    }
  }
}

function defaultTemplate(spec: Obj): void {
  const template = objectAt(spec, 'template');
  const podSpec = template && objectAt(template, 'spec');
  if (podSpec) defaultPodSpec(podSpec);
}

function defaultDeployment(d: Obj): void {
  const spec = ensureObject(d, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate', ['']);
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObject(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultTemplate(spec);
}

function defaultReplicaSet(rs: Obj): void {
  const spec = ensureObject(rs, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultTemplate(spec);
}

/** apps/v1 SetDefaults_StatefulSet: OrderedReady, RollingUpdate with partition 0, Retain claims. */
function defaultStatefulSet(sts: Obj): void {
  const spec = ensureObject(sts, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'podManagementPolicy', 'OrderedReady', ['']);
  const strategy = ensureObject(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate', ['']);
  if (strategy.type === 'RollingUpdate') setDefault(ensureObject(strategy, 'rollingUpdate'), 'partition', 0);
  setDefault(spec, 'revisionHistoryLimit', 10);
  const retention = ensureObject(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain', ['']);
  setDefault(retention, 'whenScaled', 'Retain', ['']);
  defaultTemplate(spec);
}

/** apps/v1 SetDefaults_DaemonSet: RollingUpdate, maxUnavailable 1 and maxSurge 0. */
function defaultDaemonSet(ds: Obj): void {
  const spec = ensureObject(ds, 'spec');
  const strategy = ensureObject(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate', ['']);
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObject(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultTemplate(spec);
}

/**
 * batch/v1 SetDefaults_Job: with neither completions nor parallelism, one pod to complete; a
 * parallelism of 1; six retries; NonIndexed; not suspended.
 */
function defaultJob(job: Obj): void {
  const spec = ensureObject(job, 'spec');
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', 6);
  setDefault(spec, 'completionMode', 'NonIndexed', ['']);
  setDefault(spec, 'suspend', false);
  defaultTemplate(spec);
  // A Job without labels of its own takes its template's, as batch/v1's SetDefaults_Job does.
  const meta = ensureObject(job, 'metadata');
  const templateMeta = objectAt(objectAt(spec, 'template') ?? {}, 'metadata');
  const templateLabels = templateMeta && objectAt(templateMeta, 'labels');
  if (templateLabels && Object.keys(objectAt(meta, 'labels') ?? {}).length === 0)
    meta.labels = { ...templateLabels };
}

/**
 * batch/v1 SetDefaults_CronJob: runs may overlap (Allow), not suspended, three successful and one
 * failed Job kept. The job template's pod spec gets the pod defaults.
 */
function defaultCronJob(cronJob: Obj): void {
  const spec = ensureObject(cronJob, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow', ['']);
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = objectAt(objectAt(spec, 'jobTemplate') ?? {}, 'spec');
  if (jobSpec) defaultTemplate(jobSpec);
}

/** autoscaling/v2's scaling rules a `behavior` gets for what it leaves unset (GenerateHPAScale{Up,Down}Rules). */
const DEFAULT_SCALING_RULES: Readonly<Record<'scaleUp' | 'scaleDown', Obj>> = {
  // Up: double, or four pods more, each 15 s, whichever is more; no stabilization.
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  },
  // Down: as many as all the pods each 15 s (minReplicas still bounds it); the window stays unset, so the controller's
  // --horizontal-pod-autoscaler-downscale-stabilization applies.
  scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
};

/**
 * autoscaling/v2 SetDefaults_HorizontalPodAutoscaler: minReplicas 1; no metrics means cpu at 80%
 * of the pods' requests; a `behavior` that is given gets the default rules for what it leaves
 * unset (one that is not given stays unset: the controller then scales as before behaviors existed).
 */
function defaultHorizontalPodAutoscaler(hpa: Obj): void {
  const spec = ensureObject(hpa, 'spec');
  setDefault(spec, 'minReplicas', 1);
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0)
    spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
  const behavior = objectAt(spec, 'behavior');
  if (!behavior) return;
  for (const direction of ['scaleUp', 'scaleDown'] as const) {
    const rules = ensureObject(behavior, direction);
    for (const [field, value] of Object.entries(DEFAULT_SCALING_RULES[direction]))
      setDefault(rules, field, structuredClone(value));
  }
}

function defaultService(svc: Obj): void {
  const spec = ensureObject(svc, 'spec');
  setDefault(spec, 'sessionAffinity', 'None', ['']);
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = ensureObject(ensureObject(spec, 'sessionAffinityConfig'), 'clientIP');
    setDefault(clientIP, 'timeoutSeconds', 10800);
  }
  setDefault(spec, 'type', 'ClusterIP', ['']);
  for (const port of objectsAt(spec, 'ports')) {
    setDefault(port, 'protocol', 'TCP', ['']);
    setDefault(port, 'targetPort', port.port, [0, '']);
  }
  const type = spec.type;
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs.length : 0;
  if (type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && externalIPs > 0)) {
    setDefault(spec, 'externalTrafficPolicy', 'Cluster', ['']);
  }
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') {
    setDefault(spec, 'internalTrafficPolicy', 'Cluster', ['']);
  }
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') defaultIPFamilies(spec);
}

// What the service allocator of a single-stack IPv4 cluster records; a headless Service without
// selector publishes whatever endpoints it is given, so it may carry both families.
function defaultIPFamilies(spec: Obj): void {
  const headless = spec.clusterIP === 'None';
  if (headless) setDefault(spec, 'clusterIPs', ['None']);
  const hasSelector = isPlainObject(spec.selector) && Object.keys(spec.selector).length > 0;
  const families = Array.isArray(spec.ipFamilies) ? (spec.ipFamilies as unknown[]) : [];
  if (headless && !hasSelector) setDefault(spec, 'ipFamilyPolicy', 'RequireDualStack', ['']);
  setDefault(spec, 'ipFamilyPolicy', families.length === 2 ? 'RequireDualStack' : 'SingleStack', ['']);
  if (families.length === 0) families.push('IPv4');
  if (families.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') {
    families.push(families[0] === 'IPv6' ? 'IPv4' : 'IPv6');
  }
  spec.ipFamilies = families;
}

function defaultNamespace(ns: Obj): void {
  const metadata = ensureObject(ns, 'metadata');
  if (typeof metadata.name === 'string' && metadata.name !== '') {
    ensureObject(metadata, 'labels')['kubernetes.io/metadata.name'] = metadata.name;
  }
  const spec = ensureObject(ns, 'spec');
  // Only on create (no uid yet): an update without finalizers is how they are cleared.
  if (metadata.uid === undefined) setDefault(spec, 'finalizers', ['kubernetes']);
  setDefault(ensureObject(ns, 'status'), 'phase', 'Active', ['']);
}

function defaultBinding(binding: Obj): void {
  for (const subject of objectsAt(binding, 'subjects')) {
    if (subject.kind === 'User' || subject.kind === 'Group') {
      setDefault(subject, 'apiGroup', 'rbac.authorization.k8s.io', ['']);
    }
  }
}

// policy/v1's status counts have no omitempty: Go writes them as 0 when a writer leaves them out.
function defaultPodDisruptionBudget(pdb: Obj): void {
  const status = objectAt(pdb, 'status');
  if (!status) return;
  for (const count of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'])
    setDefault(status, count, 0);
}

/**
 * networking/v1 SetDefaults_NetworkPolicy(Port): each port's protocol TCP; no policyTypes means
 * Ingress, plus Egress when there are egress rules (an empty `egress` list has none, as upstream).
 */
function defaultNetworkPolicy(policy: Obj): void {
  const spec = ensureObject(policy, 'spec');
  for (const rule of [...objectsAt(spec, 'ingress'), ...objectsAt(spec, 'egress')])
    for (const port of objectsAt(rule, 'ports')) setDefault(port, 'protocol', 'TCP', ['']);
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) return;
  const egress = Array.isArray(spec.egress) && spec.egress.length > 0;
  spec.policyTypes = egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

/**
 * `type: Opaque`, and `stringData` merged into `data` (base64, its keys winning) and dropped, as
 * the Secret's conversion does: `stringData` is write-only.
 */
function defaultSecret(secret: Obj): void {
  setDefault(secret, 'type', 'Opaque', ['']);
  const stringData = objectAt(secret, 'stringData');
  if (!stringData) return;
  const data = ensureObject(secret, 'data');
  for (const [k, v] of Object.entries(stringData)) {
    if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  delete secret.stringData;
}

/** Settings of the apiserver that change defaults (kube-apiserver's admission plugin flags). */
export interface DefaultingOptions {
  /** --default-not-ready-toleration-seconds (300 by default). */
  notReadyTolerationSeconds?: number;
  /** --default-unreachable-toleration-seconds (300 by default). */
  unreachableTolerationSeconds?: number;
}

const defaulters: Readonly<Record<string, (obj: Obj, opts: DefaultingOptions) => void>> = {
  Pod: defaultPod,
  Deployment: defaultDeployment,
  ReplicaSet: defaultReplicaSet,
  StatefulSet: defaultStatefulSet,
  DaemonSet: defaultDaemonSet,
  Job: defaultJob,
  CronJob: defaultCronJob,
  HorizontalPodAutoscaler: defaultHorizontalPodAutoscaler,
  Service: defaultService,
  Secret: defaultSecret,
  Namespace: defaultNamespace,
  RoleBinding: defaultBinding,
  ClusterRoleBinding: defaultBinding,
  PodDisruptionBudget: defaultPodDisruptionBudget,
  NetworkPolicy: defaultNetworkPolicy,
};

/**
 * Returns a deep copy of `obj` with Kubernetes' defaults filled in for its `kind`; the input
 * is never modified. Fields already set are kept. Applying it twice gives the same object.
 * Pods: restartPolicy Always, dnsPolicy ClusterFirst, schedulerName default-scheduler,
 * terminationGracePeriodSeconds 30, enableServiceLinks, securityContext {}, priority 0,
 * the not-ready/unreachable NoExecute tolerations (300 s unless `opts` says otherwise), requests from limits, and per
 * container imagePullPolicy, terminationMessagePath/Policy, port protocol TCP and probe
 * timings. Deployments/ReplicaSets: replicas 1, (Deployment) RollingUpdate 25%/25%,
 * revisionHistoryLimit 10, progressDeadlineSeconds 600, and the pod template's spec
 * defaults. Services: type ClusterIP, sessionAffinity None, port protocol TCP, targetPort
 * = port, traffic policies Cluster, single-stack IPv4 families. Namespaces: finalizer
 * `kubernetes` on create, phase Active, the `kubernetes.io/metadata.name` label. Role
 * bindings: User/Group subjects get the RBAC apiGroup. NetworkPolicies: port protocol TCP, and
 * policyTypes from the rules when absent. Other kinds are only copied.
 */
export function defaultObject(obj: KubeObject, opts: DefaultingOptions = {}): KubeObject {
  const copy = structuredClone(obj);
  const defaulter = Object.hasOwn(defaulters, copy.kind) ? defaulters[copy.kind] : undefined;
  defaulter?.(copy as Obj, opts);
  return copy;
}
