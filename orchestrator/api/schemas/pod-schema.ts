/**
 * Pods and pod templates: the well-known fields of PodSpec and Container (those crucible
 * ignores are accepted as opaque objects) and the checks of Kubernetes' `ValidatePodSpec`
 * that matter to a scheduler, a kubelet and a deployment controller.
 */
import type { Container, ObjectMeta, PodSpec, Probe, Toleration } from '../types.js';
import { duplicates, eachInvalid, nonNegative, oneOf, portNumber, portNumberOrName } from './checks.js';
import { child, index, key, type FieldErrors } from './field-errors.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  nameIsDNSSubdomain,
} from './names.js';
import {
  kindShape,
  localObjectReferenceShape,
  objectMetaShape,
  validateLabels,
  validateObjectMeta,
  validateTemplateMeta,
} from './object-meta-schema.js';
import { quantityValue } from './quantity.js';
import {
  envFromShape,
  envVarShape,
  validateEnv,
  validateVolumeMounts,
  validateVolumes,
  volumeMountShape,
  volumeShape,
} from './volume-schema.js';
import {
  anyObject,
  array,
  boolean,
  int32,
  int64,
  intOrString,
  map,
  object,
  quantity,
  required,
  string,
  type Shape,
} from './shape.js';

// ---- structure ----

const execAction = object({ command: array(string()) });
const httpGetAction = object({
  path: string(),
  port: required(intOrString()),
  host: string(),
  scheme: string(),
  httpHeaders: array(object({ name: required(string()), value: string() })),
});
const tcpSocketAction = object({ port: required(intOrString()), host: string() });
const grpcAction = object({ port: required(int32()), service: string() });

const probe = object({
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  grpc: grpcAction,
  initialDelaySeconds: int32(),
  timeoutSeconds: int32(),
  periodSeconds: int32(),
  successThreshold: int32(),
  failureThreshold: int32(),
  terminationGracePeriodSeconds: int64(),
});

const resourceRequirements = object({
  limits: map(quantity()),
  requests: map(quantity()),
  claims: array(anyObject()),
});

const container = object({
  name: required(string()),
  image: string(),
  command: array(string()),
  args: array(string()),
  workingDir: string(),
  ports: array(
    object({
      name: string(),
      containerPort: required(int32()),
      hostPort: int32(),
      hostIP: string(),
      protocol: string(),
    }),
  ),
  envFrom: array(envFromShape),
  env: array(envVarShape),
  resources: resourceRequirements,
  resizePolicy: array(object({ resourceName: required(string()), restartPolicy: required(string()) })),
  restartPolicy: string(),
  volumeMounts: array(volumeMountShape),
  volumeDevices: array(object({ name: required(string()), devicePath: required(string()) })),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: anyObject(),
  terminationMessagePath: string(),
  terminationMessagePolicy: string(),
  imagePullPolicy: string(),
  securityContext: anyObject(),
  stdin: boolean(),
  stdinOnce: boolean(),
  tty: boolean(),
});

const nodeSelectorRequirement = object({
  key: required(string()),
  operator: required(string()),
  values: array(string()),
});
const nodeSelectorTerm = object({
  matchExpressions: array(nodeSelectorRequirement),
  matchFields: array(nodeSelectorRequirement),
});

const affinity = object({
  nodeAffinity: object({
    requiredDuringSchedulingIgnoredDuringExecution: object({
      nodeSelectorTerms: required(array(nodeSelectorTerm)),
    }),
    preferredDuringSchedulingIgnoredDuringExecution: array(
      object({ weight: required(int32()), preference: required(nodeSelectorTerm) }),
    ),
  }),
  podAffinity: anyObject(),
  podAntiAffinity: anyObject(),
});

const toleration = object({
  key: string(),
  operator: string(),
  value: string(),
  effect: string(),
  tolerationSeconds: int64(),
});

/** `corev1.PodSpec`. */
export const podSpecShape: Shape = object({
  volumes: array(volumeShape),
  initContainers: array(container),
  containers: required(array(container)),
  ephemeralContainers: array(anyObject()),
  restartPolicy: string(),
  terminationGracePeriodSeconds: int64(),
  activeDeadlineSeconds: int64(),
  dnsPolicy: string(),
  nodeSelector: map(string()),
  serviceAccountName: string(),
  serviceAccount: string(),
  automountServiceAccountToken: boolean(),
  nodeName: string(),
  hostNetwork: boolean(),
  hostPID: boolean(),
  hostIPC: boolean(),
  shareProcessNamespace: boolean(),
  securityContext: anyObject(),
  imagePullSecrets: array(localObjectReferenceShape),
  hostname: string(),
  subdomain: string(),
  affinity,
  schedulerName: string(),
  tolerations: array(toleration),
  hostAliases: array(object({ ip: string(), hostnames: array(string()) })),
  priorityClassName: string(),
  priority: int32(),
  dnsConfig: anyObject(),
  readinessGates: array(object({ conditionType: required(string()) })),
  runtimeClassName: string(),
  enableServiceLinks: boolean(),
  preemptionPolicy: string(),
  overhead: map(quantity()),
  topologySpreadConstraints: array(anyObject()),
  setHostnameAsFQDN: boolean(),
  os: object({ name: required(string()) }),
  hostUsers: boolean(),
  schedulingGates: array(object({ name: required(string()) })),
  resourceClaims: array(anyObject()),
  resources: resourceRequirements,
});

/** `corev1.PodTemplateSpec`. */
export const podTemplateShape: Shape = object({ metadata: objectMetaShape, spec: podSpecShape });

const podStatus = object(
  {
    phase: string(),
    conditions: array(anyObject()),
    message: string(),
    reason: string(),
    nominatedNodeName: string(),
    hostIP: string(),
    hostIPs: array(anyObject()),
    podIP: string(),
    podIPs: array(anyObject()),
    // crucible: pods share their node's address, so each containerPort is served on a node port
    // the kubelet picks; it reports them here ({containerName, name, containerPort, hostPort, protocol}).
    portMappings: array(anyObject()),
    startTime: string(),
    qosClass: string(),
    initContainerStatuses: array(anyObject()),
    containerStatuses: array(anyObject()),
    ephemeralContainerStatuses: array(anyObject()),
  },
  { loose: true },
);

/** A whole Pod. */
export const podShape: Shape = kindShape({ spec: podSpecShape, status: podStatus });

// ---- semantics ----

/** Decoded container: the typed fields of `Container` plus those only validation reads. */
interface ContainerIn extends Container {
  restartPolicy?: string;
}

/** Decoded pod spec. */
interface PodSpecIn extends PodSpec {
  dnsPolicy?: string;
  dnsConfig?: object;
  hostNetwork?: boolean;
  hostname?: string;
  subdomain?: string;
  activeDeadlineSeconds?: number;
  preemptionPolicy?: string;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'] as const;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
const URI_SCHEMES = ['HTTP', 'HTTPS'] as const;
const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'] as const;

function validateProbe(
  errs: FieldErrors,
  path: string,
  p: Probe | undefined,
  successMustBeOne: boolean,
): void {
  if (!p) return;
  const handlers = (['exec', 'httpGet', 'tcpSocket', 'grpc'] as const).filter(
    (h) => p[h as keyof Probe] !== undefined,
  );
  if (handlers.length === 0) errs.required(path, 'must specify a handler type');
  for (const extra of handlers.slice(1))
    errs.forbidden(child(path, extra), 'may not specify more than 1 handler type');
  if (p.httpGet) {
    portNumberOrName(errs, child(child(path, 'httpGet'), 'port'), p.httpGet.port);
    oneOf(errs, child(child(path, 'httpGet'), 'scheme'), p.httpGet.scheme, URI_SCHEMES);
  }
  if (p.tcpSocket) portNumberOrName(errs, child(child(path, 'tcpSocket'), 'port'), p.tcpSocket.port);
  const grpc = (p as { grpc?: { port?: number } }).grpc;
  if (grpc) portNumber(errs, child(child(path, 'grpc'), 'port'), grpc.port, true);
  for (const f of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const) {
    nonNegative(errs, child(path, f), p[f]);
  }
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds <= 0) {
    errs.invalid(
      child(path, 'terminationGracePeriodSeconds'),
      p.terminationGracePeriodSeconds,
      'must be greater than 0',
    );
  }
  if (successMustBeOne && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.invalid(child(path, 'successThreshold'), p.successThreshold, 'must be 1');
  }
}

function validateResources(errs: FieldErrors, path: string, c: ContainerIn): void {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  for (const [which, list] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [name, q] of Object.entries(list)) {
      const at = key(child(child(path, 'resources'), which), name);
      eachInvalid(errs, at, name, isQualifiedName(name));
      const value = quantityValue(q);
      if (value !== undefined && value < 0) errs.invalid(at, q, 'must be greater than or equal to 0');
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined) continue;
    const [r, l] = [quantityValue(q), quantityValue(limit)];
    if (r !== undefined && l !== undefined && r > l) {
      errs.invalid(
        key(child(child(path, 'resources'), 'requests'), name),
        String(q),
        `must be less than or equal to ${name} limit of ${String(limit)}`,
      );
    }
  }
}

function validateContainer(
  errs: FieldErrors,
  path: string,
  c: ContainerIn,
  spec: PodSpecIn,
  volumes: ReadonlySet<string>,
  containerNames: ReadonlySet<string>,
  init: boolean,
): void {
  if (c.name === '') errs.required(child(path, 'name'));
  else if (c.name !== undefined) eachInvalid(errs, child(path, 'name'), c.name, isDNS1123Label(c.name));

  if (!c.image) errs.required(child(path, 'image'));
  else if (c.image.trim() !== c.image) {
    errs.invalid(child(path, 'image'), c.image, 'must not have leading or trailing whitespace');
  }

  const ports = child(path, 'ports');
  const portNames = new Set<string>();
  c.ports?.forEach((p, i) => {
    const at = index(ports, i);
    if (p.name) {
      const msgs = isValidPortName(p.name);
      eachInvalid(errs, child(at, 'name'), p.name, msgs);
      if (msgs.length === 0 && portNames.has(p.name)) errs.duplicate(child(at, 'name'), p.name);
      portNames.add(p.name);
    }
    portNumber(errs, child(at, 'containerPort'), p.containerPort, true);
    if (p.hostPort !== undefined && p.hostPort !== 0)
      portNumber(errs, child(at, 'hostPort'), p.hostPort, false);
    if (spec.hostNetwork && p.hostPort !== undefined && p.hostPort !== p.containerPort) {
      errs.invalid(
        child(at, 'hostPort'),
        p.hostPort,
        'must match `containerPort` when `hostNetwork` is true',
      );
    }
    oneOf(errs, child(at, 'protocol'), p.protocol, PROTOCOLS);
  });
  // A port number may repeat only with another protocol (DNS serves 53 on TCP and UDP).
  duplicates(
    errs,
    c.ports,
    (i) => child(index(ports, i), 'containerPort'),
    (p) => (p.containerPort ? `${p.containerPort}/${p.protocol ?? 'TCP'}` : undefined),
    (p) => p.containerPort,
  );

  validateEnv(errs, path, c.env, c.envFrom, containerNames);
  validateVolumeMounts(errs, child(path, 'volumeMounts'), c.volumeMounts, volumes);
  if ((c as { volumeDevices?: unknown[] }).volumeDevices?.length)
    errs.forbidden(child(path, 'volumeDevices'), 'block devices are not supported by the process runtime');

  const sidecar = init && c.restartPolicy === 'Always';
  if (init) oneOf(errs, child(path, 'restartPolicy'), c.restartPolicy, ['Always']);
  else if (c.restartPolicy !== undefined)
    errs.forbidden(child(path, 'restartPolicy'), 'may not be set for non-init containers');
  for (const which of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (init && !sidecar && c[which]) {
      errs.forbidden(child(path, which), 'may not be set for init containers without restartPolicy=Always');
      continue;
    }
    validateProbe(errs, child(path, which), c[which], which !== 'readinessProbe');
  }

  validateResources(errs, path, c);
  oneOf(errs, child(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES);
  oneOf(
    errs,
    child(path, 'terminationMessagePolicy'),
    c.terminationMessagePolicy,
    TERMINATION_MESSAGE_POLICIES,
  );
}

function validateTolerations(errs: FieldErrors, path: string, tolerations: Toleration[] | undefined): void {
  tolerations?.forEach((t, i) => {
    const at = index(path, i);
    if (t.key) eachInvalid(errs, child(at, 'key'), t.key, isQualifiedName(t.key));
    if (!t.key && t.operator !== 'Exists') {
      errs.invalid(
        child(at, 'operator'),
        t.operator ?? '',
        'operator must be Exists when `key` is empty, which means "match all values and all keys"',
      );
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.invalid(
        child(at, 'effect'),
        t.effect ?? '',
        "effect must be 'NoExecute' when `tolerationSeconds` is set",
      );
    }
    switch (t.operator as string | undefined) {
      case 'Equal':
      case '':
      case undefined: {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length > 0) errs.invalid(child(at, 'operator'), t.value, msgs.join(';'));
        break;
      }
      case 'Exists':
        if (t.value)
          errs.invalid(child(at, 'operator'), t.value, "value must be empty when `operator` is 'Exists'");
        break;
      default:
        errs.notSupported(child(at, 'operator'), t.operator, ['Equal', 'Exists']);
    }
    if (t.effect) oneOf(errs, child(at, 'effect'), t.effect, TAINT_EFFECTS);
  });
}

interface NodeSelectorRequirementIn {
  key?: string;
  operator?: string;
  values?: string[];
}
interface NodeSelectorTermIn {
  matchExpressions?: NodeSelectorRequirementIn[];
  matchFields?: NodeSelectorRequirementIn[];
}

function validateNodeSelectorTerm(
  errs: FieldErrors,
  path: string,
  term: NodeSelectorTermIn | undefined,
): void {
  term?.matchExpressions?.forEach((r, i) => {
    const at = index(child(path, 'matchExpressions'), i);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          errs.required(child(at, 'values'), "must be specified when `operator` is 'In' or 'NotIn'");
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.forbidden(
            child(at, 'values'),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          );
        }
        break;
      case 'Gt':
      case 'Lt':
        if (values.length !== 1) {
          errs.required(
            child(at, 'values'),
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
          );
        }
        break;
      case undefined:
        break;
      default:
        errs.invalid(child(at, 'operator'), r.operator, 'not a valid selector operator');
    }
    if (r.key !== undefined) eachInvalid(errs, child(at, 'key'), r.key, isQualifiedName(r.key));
  });
  term?.matchFields?.forEach((r, i) => {
    const at = index(child(path, 'matchFields'), i);
    if (r.operator !== undefined && r.operator !== 'In' && r.operator !== 'NotIn') {
      errs.invalid(child(at, 'operator'), r.operator, 'not a valid selector operator');
    }
    if ((r.values ?? []).length !== 1) {
      errs.required(
        child(at, 'values'),
        "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
      );
    }
    if (r.key !== undefined && r.key !== 'metadata.name') {
      errs.invalid(child(at, 'key'), r.key, 'not a valid field selector key');
    }
  });
}

interface AffinityIn {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTermIn[] };
    preferredDuringSchedulingIgnoredDuringExecution?: { weight?: number; preference?: NodeSelectorTermIn }[];
  };
}

function validateAffinity(errs: FieldErrors, path: string, affinityIn: AffinityIn | undefined): void {
  const na = affinityIn?.nodeAffinity;
  if (!na) return;
  const naPath = child(path, 'nodeAffinity');
  const requiredTerms = na.requiredDuringSchedulingIgnoredDuringExecution;
  if (requiredTerms) {
    const termsPath = child(
      child(naPath, 'requiredDuringSchedulingIgnoredDuringExecution'),
      'nodeSelectorTerms',
    );
    if (requiredTerms.nodeSelectorTerms?.length === 0) {
      errs.required(termsPath, 'must have at least one node selector term');
    }
    requiredTerms.nodeSelectorTerms?.forEach((t, i) =>
      validateNodeSelectorTerm(errs, index(termsPath, i), t),
    );
  }
  na.preferredDuringSchedulingIgnoredDuringExecution?.forEach((p, i) => {
    const at = index(child(naPath, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    if (p.weight !== undefined && (p.weight < 1 || p.weight > 100)) {
      errs.invalid(child(at, 'weight'), p.weight, 'must be in the range 1-100');
    }
    validateNodeSelectorTerm(errs, child(at, 'preference'), p.preference);
  });
}

/** Kubernetes' `ValidatePodSpec` for the spec at `path` (`spec` or `spec.template.spec`). */
export function validatePodSpec(errs: FieldErrors, path: string, spec: PodSpecIn | undefined): void {
  const s: PodSpecIn = spec ?? { containers: [] };

  const volumes = new Set<string>();
  s.volumes?.forEach((v, i) => {
    const at = child(index(child(path, 'volumes'), i), 'name');
    if (v.name === '') errs.required(at);
    else if (v.name !== undefined) {
      eachInvalid(errs, at, v.name, isDNS1123Label(v.name));
      if (volumes.has(v.name)) errs.duplicate(at, v.name);
      volumes.add(v.name);
    }
  });

  if (!s.containers || s.containers.length === 0) errs.required(child(path, 'containers'));
  const containerNames = new Set(
    [...(s.initContainers ?? []), ...(s.containers ?? [])].map((c) => c.name).filter(Boolean),
  );
  validateVolumes(errs, child(path, 'volumes'), s.volumes, containerNames);
  // Names are unique across init and regular containers: both address the same runtime.
  const names = new Set<string>();
  const each = (list: ContainerIn[] | undefined, field: string, init: boolean) =>
    list?.forEach((c, i) => {
      const at = index(child(path, field), i);
      validateContainer(errs, at, c, s, volumes, containerNames, init);
      if (c.name) {
        if (names.has(c.name)) errs.duplicate(child(at, 'name'), c.name);
        names.add(c.name);
      }
    });
  each(s.initContainers, 'initContainers', true);
  each(s.containers, 'containers', false);

  oneOf(errs, child(path, 'restartPolicy'), s.restartPolicy, RESTART_POLICIES);
  oneOf(errs, child(path, 'dnsPolicy'), s.dnsPolicy, DNS_POLICIES);
  if (s.dnsPolicy === 'None' && !s.dnsConfig) {
    errs.required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None');
  }
  oneOf(errs, child(path, 'preemptionPolicy'), s.preemptionPolicy, PREEMPTION_POLICIES);
  nonNegative(errs, child(path, 'terminationGracePeriodSeconds'), s.terminationGracePeriodSeconds);
  if (
    s.activeDeadlineSeconds !== undefined &&
    (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > 2 ** 31 - 1)
  ) {
    errs.invalid(
      child(path, 'activeDeadlineSeconds'),
      s.activeDeadlineSeconds,
      'must be between 1 and 2147483647, inclusive',
    );
  }
  validateLabels(errs, child(path, 'nodeSelector'), s.nodeSelector);
  if (s.nodeName) eachInvalid(errs, child(path, 'nodeName'), s.nodeName, isDNS1123Subdomain(s.nodeName));
  if (s.serviceAccountName) {
    eachInvalid(
      errs,
      child(path, 'serviceAccountName'),
      s.serviceAccountName,
      isDNS1123Subdomain(s.serviceAccountName),
    );
  }
  if (s.hostname) eachInvalid(errs, child(path, 'hostname'), s.hostname, isDNS1123Label(s.hostname));
  if (s.subdomain) eachInvalid(errs, child(path, 'subdomain'), s.subdomain, isDNS1123Label(s.subdomain));
  validateTolerations(errs, child(path, 'tolerations'), s.tolerations);
  validateAffinity(errs, child(path, 'affinity'), s.affinity as AffinityIn | undefined);
}

/** A decoded pod template. */
export interface PodTemplateIn {
  metadata?: ObjectMeta;
  spec?: PodSpecIn;
}

/** Kubernetes' `ValidatePodTemplateSpec` at `path` (`spec.template`). */
export function validatePodTemplate(
  errs: FieldErrors,
  path: string,
  template: PodTemplateIn | undefined,
): void {
  validateTemplateMeta(errs, child(path, 'metadata'), template?.metadata);
  validatePodSpec(errs, child(path, 'spec'), template?.spec);
}

/** Semantic checks of a whole Pod. */
export function validatePod(errs: FieldErrors, pod: { metadata?: ObjectMeta; spec?: PodSpecIn }): void {
  validateObjectMeta(errs, pod.metadata, { name: nameIsDNSSubdomain });
  validatePodSpec(errs, 'spec', pod.spec);
}
