/**
 * Per-kind column definitions and row functions, ported from kube-apiserver's printers
 * (k8s.io/kubernetes/pkg/printers/internalversion/printers.go, release 1.32) so that
 * `kubectl get` against crucible prints what it prints against a real cluster.
 *
 * kube-apiserver always generates the wide variant (`GenerateOptions{Wide: true}`) and leaves it
 * to kubectl to hide priority-1 columns, so every row here carries a cell for every column.
 */

import type {
  CronJob,
  Job,
  ConfigMap,
  Container,
  Deployment,
  Endpoints,
  Event,
  HorizontalPodAutoscaler,
  KubeObject,
  LabelSelector,
  Lease,
  Namespace,
  NetworkPolicy,
  Node,
  Pod,
  PodDisruptionBudget,
  ReplicaSet,
  StatefulSet,
  ControllerRevision,
  DaemonSet,
  ResourceQuota,
  RoleBinding,
  Secret,
  Service,
} from '../../api/types.js';
import { jobFinished } from '../../api/job-conditions.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from './human-duration.js';
import type { TableCell, TableColumnDefinition, TableRowCondition } from './table-types.js';

/** The cells of one object's row, plus the row conditions kube-apiserver attaches to it. */
export interface PrintedRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
}

/** How one kind prints: its columns, and a row function yielding one cell per column. */
export interface TablePrinter {
  readonly columns: readonly TableColumnDefinition[];
  row(obj: KubeObject, now: Date): PrintedRow;
}

// ---- column helpers ----

const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources ' +
  'may allow a client to request the generation of an appropriate name automatically. Name is primarily ' +
  'intended for creation idempotence and configuration definition. Cannot be updated. More info: ' +
  'https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const CREATION_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not ' +
  'guaranteed to be set in happens-before order across separate operations. Clients may not set this value. ' +
  'It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. ' +
  'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const CONTAINERS_DOC = 'Names of each container in the template.';
const IMAGES_DOC = 'Images referenced by each container in the template.';

function col(
  name: string,
  type: string,
  description: string,
  priority = 0,
  format = '',
): TableColumnDefinition {
  return Object.freeze({ name, type, format, description, priority });
}
const nameCol = (): TableColumnDefinition => col('Name', 'string', NAME_DOC, 0, 'name');
const ageCol = (): TableColumnDefinition => col('Age', 'string', CREATION_DOC);
const createdAtCol = (priority = 0): TableColumnDefinition =>
  col('Created At', 'date', CREATION_DOC, priority);
/** A workload's wide columns: its template's containers and images, and its selector when it has one. */
const templateCols = (selectorDoc?: string): TableColumnDefinition[] => [
  col('Containers', 'string', CONTAINERS_DOC, 1),
  col('Images', 'string', IMAGES_DOC, 1),
  ...(selectorDoc === undefined ? [] : [col('Selector', 'string', selectorDoc, 1)]),
];

// ---- formatting helpers shared with Kubernetes ----

const name = (obj: KubeObject): string => obj.metadata?.name ?? '';
const age = (obj: KubeObject, now: Date): string =>
  translateTimestampSince(obj.metadata?.creationTimestamp, now);

/** `metav1.Time.UTC().Format(time.RFC3339)`; an unset time is Go's zero time. */
function rfc3339(timestamp: string | undefined): string {
  const ms = parseTimestamp(timestamp);
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.trunc(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `labels.FormatLabels`: sorted `k=v` pairs, `<none>` when empty. */
function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/**
 * `metav1.LabelSelectorAsSelector(s).String()`, or `undefined` where Go returns an error. Both a
 * null and an empty selector print as the empty string.
 */
function labelSelectorString(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    reqs.push({ key, text: `${key}=${value}` });
  for (const expr of selector.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])].sort();
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        reqs.push({
          key: expr.key,
          text: `${expr.key} ${expr.operator.toLowerCase()} (${values.join(',')})`,
        });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        reqs.push({ key: expr.key, text: expr.operator === 'Exists' ? expr.key : `!${expr.key}` });
        break;
      default:
        return undefined;
    }
  }
  // The Go selector keeps its requirements sorted by key; Array.prototype.sort is stable as Go's is not,
  // which only matters for one key repeated, and then the input order is the more useful.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** `metav1.FormatLabelSelector`: like {@link labelSelectorString} but `<none>`/`<error>`. */
function formatLabelSelector(selector: LabelSelector | undefined): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** `layoutContainerCells`: container names and images, each comma-joined. */
function layoutContainerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** `net.JoinHostPort`: IPv6 literals need brackets to keep the port unambiguous. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// ---- Pod ----

const POD_SUCCESS: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const POD_FAILED: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];
// node.NodeUnreachablePodReason: the node controller's mark on pods of a lost node.
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

interface PodExtras {
  initContainerStatuses?: NonNullable<NonNullable<Pod['status']>['containerStatuses']>;
  nominatedNodeName?: string;
}

/** Keeps the later of two instants; both are ms since the epoch, 0 standing for Go's zero time. */
function later(current: number, candidate: string | undefined): number {
  const at = parseTimestamp(candidate);
  return at !== undefined && at > current ? at : current;
}

/** The Ready, Status and Restarts cells of `kubectl get pods`, by the exact logic of `printPod`. */
export function podStatusCells(pod: Pod, now: Date): { ready: string; status: string; restarts: string } {
  const status = pod.status ?? {};
  const extras = status as PodExtras;
  const spec = pod.spec ?? { containers: [] };
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = spec.containers?.length ?? 0;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;

  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;

  for (const condition of status.conditions ?? []) {
    if (condition.type === 'PodScheduled' && condition.reason === 'SchedulingGated')
      reason = 'SchedulingGated';
  }

  // Sidecars (restartPolicy Always on an init container) count as regular containers once started.
  const initContainers = new Map<string, Container>();
  for (const c of spec.initContainers ?? []) {
    initContainers.set(c.name, c);
    if (c.restartPolicy === 'Always') totalContainers++;
  }
  const isSidecar = (containerName: string): boolean =>
    initContainers.get(containerName)?.restartPolicy === 'Always';

  let initializing = false;
  const initStatuses = extras.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
    if (isSidecar(c.name)) {
      restartableInitRestarts += c.restartCount ?? 0;
      lastRestartableInitRestart = later(lastRestartableInitRestart, c.lastState?.terminated?.finishedAt);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (isSidecar(c.name) && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${spec.initContainers?.length ?? 0}`;
    }
    initializing = true;
    break;
  }

  const initialized = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    // Restarts of init containers that ran to completion no longer matter once the pod is up.
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walked backwards so that the first container's state wins the Status cell, as in kubectl.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
      const terminated = c.state?.terminated;
      if (c.state?.waiting?.reason) {
        reason = c.state.waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // One container exiting 0 must not make a pod whose other containers still run look finished.
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) {
    reason = 'Unknown';
  } else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  const restartsCell =
    restarts !== 0 && lastRestart !== 0
      ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`
      : String(restarts);

  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsCell };
}

const podPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageCol(),
    col(
      'IP',
      'string',
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      1,
    ),
    col('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', 1),
    col(
      'Nominated Node',
      'string',
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
      1,
    ),
    col(
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True".',
      1,
    ),
  ],
  row(obj, now) {
    const pod = obj as Pod;
    const { ready, status, restarts } = podStatusCells(pod, now);
    const podStatus = pod.status ?? {};
    const podIP = podStatus.podIPs?.[0]?.ip || '<none>';
    const nodeName = pod.spec?.nodeName || '<none>';
    const nominated = (podStatus as PodExtras).nominatedNodeName || '<none>';
    const gates = (pod.spec?.readinessGates as { conditionType: string }[] | undefined) ?? [];
    let readinessGates = '<none>';
    if (gates.length > 0) {
      let trueConditions = 0;
      for (const gate of gates) {
        const condition = podStatus.conditions?.find((c) => c.type === gate.conditionType);
        if (condition?.status === 'True') trueConditions++;
      }
      readinessGates = `${trueConditions}/${gates.length}`;
    }
    const conditions =
      podStatus.phase === 'Succeeded' ? POD_SUCCESS : podStatus.phase === 'Failed' ? POD_FAILED : undefined;
    return {
      cells: [name(obj), ready, status, restarts, age(obj, now), podIP, nodeName, nominated, readinessGates],
      ...(conditions ? { conditions } : {}),
    };
  },
};

// ---- Namespace ----

const namespacePrinter: TablePrinter = {
  columns: [nameCol(), col('Status', 'string', 'The status of the namespace'), ageCol()],
  row(obj, now) {
    const ns = obj as Namespace;
    // kube-apiserver sets the phase on create; fall back the same way should a stored object lack it.
    const phase = ns.status?.phase ?? (ns.metadata?.deletionTimestamp ? 'Terminating' : 'Active');
    return { cells: [name(obj), phase, age(obj, now)] };
  },
};

// ---- Node ----

const LABEL_NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_LABEL_ROLE = 'kubernetes.io/role';

/** `findNodeRoles`: from `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role` values. */
function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = k.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_LABEL_ROLE && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

/** The Status cell of `kubectl get nodes`: `Ready`, `NotReady` or `Unknown`, then `SchedulingDisabled`. */
export function nodeStatus(node: Node): string {
  // Later duplicates win, as they do in the Go map the printer builds.
  let ready: string | undefined;
  for (const c of node.status?.conditions ?? []) if (c.type === 'Ready') ready = c.status;
  const status = [ready === undefined ? 'Unknown' : ready === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const nodePrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageCol(),
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node.', 1),
    col(
      'OS-Image',
      'string',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      1,
    ),
    col(
      'Kernel-Version',
      'string',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      1,
    ),
    col(
      'Container-Runtime',
      'string',
      'ContainerRuntime Version reported by the node through runtime remote API.',
      1,
    ),
  ],
  row(obj, now) {
    const node = obj as Node;
    const info = node.status?.nodeInfo ?? {};
    const address = (type: string): string =>
      node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
    const roles = nodeRoles(node).join(',') || '<none>';
    return {
      cells: [
        name(obj),
        nodeStatus(node),
        roles,
        age(obj, now),
        info['kubeletVersion'] ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        info['osImage'] || '<unknown>',
        info['kernelVersion'] || '<unknown>',
        info['containerRuntimeVersion'] || '<unknown>',
      ],
    };
  },
};

// ---- Service ----

/** `loadBalancerStatusStringer` in its wide form: distinct ingress IPs or hostnames, sorted. */
function loadBalancerIngress(svc: Service): string {
  const seen = new Set<string>();
  for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
    if (ingress.ip) seen.add(ingress.ip);
    else if (ingress.hostname) seen.add(ingress.hostname);
  }
  return [...seen].sort().join(',');
}

/** The External-IP cell: `<none>`, `<pending>`, the ingress and external IPs, or the external name. */
export function serviceExternalIP(svc: Service): string {
  const externalIPs = (svc.spec?.externalIPs as string[] | undefined) ?? [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return (svc.spec.externalName as string | undefined) ?? '';
    default:
      return '<unknown>';
  }
}

/** The Port(s) cell: `80/TCP` or `80:30080/TCP` per port, comma-joined; `<none>` without ports. */
export function servicePorts(svc: Service): string {
  const pieces = (svc.spec?.ports ?? []).map((p) => {
    // Kubernetes defaults the protocol to TCP on admission; an undefaulted object prints the same.
    const protocol = p.protocol ?? 'TCP';
    return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

const servicePrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP.'),
    col(
      'Cluster-IP',
      'string',
      'clusterIP is the IP address of the service and is usually assigned randomly.',
    ),
    col(
      'External-IP',
      'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageCol(),
    col(
      'Selector',
      'string',
      'Route service traffic to pods with label keys and values matching this selector.',
      1,
    ),
  ],
  row(obj, now) {
    const svc = obj as Service;
    // Defaulting copies clusterIP into clusterIPs; read the singular form when that has not happened.
    const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>';
    return {
      cells: [
        name(obj),
        svc.spec?.type ?? 'ClusterIP',
        clusterIP,
        serviceExternalIP(svc),
        servicePorts(svc),
        age(obj, now),
        formatLabels(svc.spec?.selector),
      ],
    };
  },
};

// ---- Endpoints ----

/** `formatEndpoints`: up to three `ip:port` entries, then `+ N more...`; `<none>` without subsets. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports || ss.ports.length === 0) {
      // Headless services may have no ports; the bare IPs are listed then.
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(addr.ip);
      }
      continue;
    }
    for (const port of ss.ports) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(addr.ip, port.port));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

const endpointsPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'),
    ageCol(),
  ],
  row: (obj, now) => ({ cells: [name(obj), formatEndpoints(obj as Endpoints), age(obj, now)] }),
};

// ---- ConfigMap ----

const configMapPrinter: TablePrinter = {
  columns: [nameCol(), col('Data', 'string', 'Data contains the configuration data.'), ageCol()],
  row(obj, now) {
    const cm = obj as ConfigMap;
    const count = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
    return { cells: [name(obj), count, age(obj, now)] };
  },
};

// ---- Secret ----

const secretPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Type', 'string', 'The type of the secret'),
    col('Data', 'string', 'The number of entries in the secret'),
    ageCol(),
  ],
  row(obj, now) {
    const secret = obj as Secret;
    return { cells: [name(obj), secret.type ?? '', Object.keys(secret.data ?? {}).length, age(obj, now)] };
  },
};

// ---- Event ----

interface EventExtras {
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

const eventPrinter: TablePrinter = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    col('Object', 'string', 'The object that this event is about.'),
    col(
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
      1,
    ),
    col(
      'Source',
      'string',
      'The component reporting this event. Should be a short machine understandable string.',
      1,
    ),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col(
      'First Seen',
      'string',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      1,
    ),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    col('Name', 'string', NAME_DOC, 1, 'name'),
  ],
  row(obj, now) {
    const ev = obj as Event & EventExtras;
    const firstSeen = ev.firstTimestamp
      ? translateTimestampSince(ev.firstTimestamp, now)
      : translateTimestampSince(ev.eventTime, now);
    let lastSeen = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, now) : firstSeen;
    let count = ev.count ?? 0;
    if (ev.series) {
      lastSeen = translateTimestampSince(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      // events.k8s.io/v1 singletons carry no count; they happened once.
      count = 1;
    }
    const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
    const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
    const component = ev.source?.component || ev.reportingComponent || '';
    const instance = ev.source?.host || ev.reportingInstance || '';
    const source = instance ? `${component}, ${instance}` : component;
    return {
      cells: [
        lastSeen,
        ev.type ?? '',
        ev.reason ?? '',
        target,
        ev.involvedObject?.fieldPath ?? '',
        source,
        (ev.message ?? '').trim(),
        firstSeen,
        count,
        name(obj),
      ],
    };
  },
};

// ---- ResourceQuota ----

/** The Request and Limit cells: `used/hard` per resource, `limits.*` resources in the second. */
export function resourceQuotaCells(quota: ResourceQuota): { request: string; limit: string } {
  const hard = quota.status?.hard ?? {};
  const used = quota.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const pieces = resource.split('.');
    const target = pieces.length > 1 && pieces[0] === 'limits' ? limit : request;
    // A resource without usage yet is Go's zero Quantity, which prints as 0.
    target.push(`${resource}: ${used[resource] ?? '0'}/${hard[resource]}`);
  }
  return { request: request.join(', '), limit: limit.join(', ') };
}

const resourceQuotaPrinter: TablePrinter = {
  // Release 1.32 orders Age second; it moved last only in 1.33.
  columns: [
    nameCol(),
    ageCol(),
    col(
      'Request',
      'string',
      'Request represents a minimum amount of cpu/memory that a container may consume.',
    ),
    col(
      'Limit',
      'string',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
  ],
  row(obj, now) {
    const { request, limit } = resourceQuotaCells(obj as ResourceQuota);
    return { cells: [name(obj), age(obj, now), request, limit] };
  },
};

// ---- ServiceAccount ----

const serviceAccountPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col(
      'Secrets',
      'string',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
    ),
    ageCol(),
  ],
  row(obj, now) {
    const secrets = (obj['secrets'] as unknown[] | undefined) ?? [];
    return { cells: [name(obj), secrets.length, age(obj, now)] };
  },
};

// ---- Deployment, ReplicaSet ----

const deploymentPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col(
      'Up-to-date',
      'string',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    col(
      'Available',
      'string',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    ageCol(),
    ...templateCols(
      'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
    ),
  ],
  row(obj, now) {
    const d = obj as Deployment;
    // spec.replicas defaults to 1 on admission; an undefaulted object means the same.
    const desired = d.spec?.replicas ?? 1;
    const [containers, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
    return {
      cells: [
        name(obj),
        `${d.status?.readyReplicas ?? 0}/${desired}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(obj, now),
        containers,
        images,
        labelSelectorString(d.spec?.selector) ?? '<invalid>',
      ],
    };
  },
};

const replicaSetPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageCol(),
    ...templateCols('Selector is a label query over pods that should match the replica count.'),
  ],
  row(obj, now) {
    const rs = obj as ReplicaSet;
    const [containers, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
    return {
      cells: [
        name(obj),
        rs.spec?.replicas ?? 1,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        age(obj, now),
        containers,
        images,
        formatLabelSelector(rs.spec?.selector),
      ],
    };
  },
};

// ---- StatefulSet, ControllerRevision ----

const statefulSetPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    ageCol(),
    ...templateCols(),
  ],
  row(obj, now) {
    const sts = obj as StatefulSet;
    const [containers, images] = layoutContainerCells(sts.spec?.template?.spec?.containers);
    return {
      cells: [
        name(obj),
        `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`,
        age(obj, now),
        containers,
        images,
      ],
    };
  },
};

// ---- Job ----

/** kubectl's job columns: its state, pods succeeded of those to complete, and how long it ran. */
const jobPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Status of the job.'),
    col(
      'Completions',
      'string',
      'The desired number of successfully finished pods the job should be run with.',
    ),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageCol(),
    ...templateCols('A label query over pods that should match the pod count.'),
  ],
  row(obj, now) {
    const job = obj as Job;
    const s = job.status ?? {};
    const status = jobFinished(job) ?? (job.spec?.suspend ? 'Suspended' : 'Running');
    const completions =
      job.spec?.completions !== undefined
        ? `${s.succeeded ?? 0}/${job.spec.completions}`
        : `${s.succeeded ?? 0}/1 of ${job.spec?.parallelism ?? 1}`;
    const start = parseTimestamp(s.startTime);
    const end = parseTimestamp(s.completionTime) ?? now.getTime();
    const [containers, images] = layoutContainerCells(job.spec?.template?.spec?.containers);
    return {
      cells: [
        name(obj),
        status,
        completions,
        start === undefined ? '' : humanDuration(end - start),
        age(obj, now),
        containers,
        images,
        formatLabelSelector(job.spec?.selector),
      ],
    };
  },
};

// ---- CronJob ----

/** kubectl's cronjob columns: the schedule and its zone, whether suspended, running Jobs, the last run. */
const cronJobPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col(
      'Timezone',
      'string',
      'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.',
    ),
    col(
      'Suspend',
      'boolean',
      'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.',
    ),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageCol(),
    ...templateCols('A label query over pods that should match the pod count.'),
  ],
  row(obj, now) {
    const cronJob = obj as CronJob;
    const spec = cronJob.spec ?? {};
    const last = cronJob.status?.lastScheduleTime;
    const [containers, images] = layoutContainerCells(spec.jobTemplate?.spec?.template?.spec?.containers);
    return {
      cells: [
        name(obj),
        spec.schedule ?? '',
        spec.timeZone ?? '<none>',
        spec.suspend === undefined ? '<unset>' : spec.suspend ? 'True' : 'False',
        cronJob.status?.active?.length ?? 0,
        last ? translateTimestampSince(last, now) : '<none>',
        age(obj, now),
        containers,
        images,
        formatLabelSelector(spec.jobTemplate?.spec?.selector),
      ],
    };
  },
};

// ---- HorizontalPodAutoscaler ----

/** kubectl's formatHPAMetrics: `cpu: 12%/50%` per metric, the first two and how many more. */
function formatHPAMetrics(hpa: HorizontalPodAutoscaler): string {
  const specs = hpa.spec?.metrics ?? [];
  if (specs.length === 0) return '<none>';
  const statuses = hpa.status?.currentMetrics ?? [];
  const shown = 2;
  const list = specs.map((spec, i) => {
    if (spec.type !== 'Resource' || !spec.resource) return '<unknown type>';
    const { name: resource, target } = spec.resource;
    const current = statuses[i]?.resource?.current;
    if (target.averageValue !== undefined)
      return `${resource}: ${current?.averageValue ?? '<unknown>'}/${target.averageValue}`;
    const utilization =
      current?.averageUtilization === undefined ? '<unknown>' : `${current.averageUtilization}%`;
    const wanted = target.averageUtilization === undefined ? '<auto>' : `${target.averageUtilization}%`;
    return `${resource}: ${utilization}/${wanted}`;
  });
  const joined = list.slice(0, shown).join(', ');
  return list.length > shown ? `${joined} + ${list.length - shown} more...` : joined;
}

const horizontalPodAutoscalerPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col(
      'Reference',
      'string',
      'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.',
    ),
    col(
      'Targets',
      'string',
      'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.',
    ),
    col(
      'MinPods',
      'string',
      'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.',
    ),
    col(
      'MaxPods',
      'string',
      'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.',
    ),
    col(
      'Replicas',
      'string',
      'currentReplicas is current number of replicas of pods managed by this autoscaler.',
    ),
    ageCol(),
  ],
  row(obj, now) {
    const hpa = obj as HorizontalPodAutoscaler;
    const ref = hpa.spec?.scaleTargetRef;
    return {
      cells: [
        name(obj),
        `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
        formatHPAMetrics(hpa),
        hpa.spec?.minReplicas === undefined ? '<unset>' : String(hpa.spec.minReplicas),
        hpa.spec?.maxReplicas ?? 0,
        hpa.status?.currentReplicas ?? 0,
        age(obj, now),
      ],
    };
  },
};

// ---- NetworkPolicy ----

const networkPolicyPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col(
      'Pod-Selector',
      'string',
      'Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.',
    ),
    ageCol(),
  ],
  row: (obj, now) => ({
    cells: [name(obj), formatLabelSelector((obj as NetworkPolicy).spec?.podSelector), age(obj, now)],
  }),
};

// ---- DaemonSet ----

const daemonSetPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col(
      'Desired',
      'integer',
      'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).',
    ),
    col(
      'Current',
      'integer',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
    ),
    col(
      'Ready',
      'integer',
      'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
    ),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col(
      'Available',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
    ),
    col(
      'Node Selector',
      'string',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
    ),
    ageCol(),
    ...templateCols(
      "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
    ),
  ],
  row(obj, now) {
    const ds = obj as DaemonSet;
    const s = ds.status;
    const [containers, images] = layoutContainerCells(ds.spec?.template?.spec?.containers);
    const nodeSelector = Object.entries(ds.spec?.template?.spec?.nodeSelector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return {
      cells: [
        name(obj),
        s?.desiredNumberScheduled ?? 0,
        s?.currentNumberScheduled ?? 0,
        s?.numberReady ?? 0,
        s?.updatedNumberScheduled ?? 0,
        s?.numberAvailable ?? 0,
        nodeSelector || '<none>',
        age(obj, now),
        containers,
        images,
        formatLabelSelector(ds.spec?.selector),
      ],
    };
  },
};

const controllerRevisionPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision of the ControllerRevision'),
    ageCol(),
  ],
  row(obj, now) {
    const owner = obj.metadata?.ownerReferences?.find((r) => r.controller);
    // As upstream: the controller as kind.group/name, <none> for an orphan.
    const controller = owner
      ? `${owner.kind.toLowerCase()}.${owner.apiVersion.includes('/') ? owner.apiVersion.split('/')[0] : ''}/${owner.name}`
      : '<none>';
    return { cells: [name(obj), controller, (obj as ControllerRevision).revision, age(obj, now)] };
  },
};

// ---- Lease ----

const leasePrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'),
    ageCol(),
  ],
  row: (obj, now) => ({ cells: [name(obj), (obj as Lease).spec?.holderIdentity ?? '', age(obj, now)] }),
};

// ---- PodDisruptionBudget ----

/** `intstr.IntOrString.String()`, `N/A` when unset. */
const intOrStringCell = (v: number | string | undefined): string => (v === undefined ? 'N/A' : String(v));

const podDisruptionBudgetPrinter: TablePrinter = {
  columns: [
    nameCol(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageCol(),
  ],
  row(obj, now) {
    const pdb = obj as PodDisruptionBudget;
    return {
      cells: [
        name(obj),
        intOrStringCell(pdb.spec?.minAvailable),
        intOrStringCell(pdb.spec?.maxUnavailable),
        pdb.status?.disruptionsAllowed ?? 0,
        age(obj, now),
      ],
    };
  },
};

// ---- RBAC ----

/** kube-apiserver serves roles through the generic default convertor: Name and Created At. */
const defaultConvertorPrinter: TablePrinter = {
  columns: [nameCol(), createdAtCol()],
  row: (obj) => ({ cells: [name(obj), rfc3339(obj.metadata?.creationTimestamp)] }),
};

/** `rbac.SubjectsStrings`, keeping only the users, groups and `namespace/name` service accounts. */
function subjectsStrings(binding: RoleBinding): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of binding.subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingPrinter(kind: 'roleBinding' | 'clusterRoleBinding'): TablePrinter {
  return {
    columns: [
      nameCol(),
      col(
        'Role',
        'string',
        'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.',
      ),
      ageCol(),
      col('Users', 'string', `Users in the ${kind}`, 1),
      col('Groups', 'string', `Groups in the ${kind}`, 1),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${kind}`, 1),
    ],
    row(obj, now) {
      const rb = obj as RoleBinding;
      const role = `${rb.roleRef?.kind ?? ''}/${rb.roleRef?.name ?? ''}`;
      return { cells: [name(obj), role, age(obj, now), ...subjectsStrings(rb)] };
    },
  };
}

// ---- fallback ----

/**
 * For kinds without a printer: Name and Age as a CustomResourceDefinition without printer columns
 * shows them, and the generic convertor's Created At for `-o wide`.
 */
export const DEFAULT_PRINTER: TablePrinter = {
  columns: [nameCol(), ageCol(), createdAtCol(1)],
  row: (obj, now) => ({ cells: [name(obj), age(obj, now), rfc3339(obj.metadata?.creationTimestamp)] }),
};

/** The printers by kind, for every kind of the resource catalogue. */
export const TABLE_PRINTERS: Readonly<Record<string, TablePrinter>> = Object.freeze({
  Namespace: namespacePrinter,
  Node: nodePrinter,
  Pod: podPrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  ConfigMap: configMapPrinter,
  Secret: secretPrinter,
  Event: eventPrinter,
  ResourceQuota: resourceQuotaPrinter,
  ServiceAccount: serviceAccountPrinter,
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  StatefulSet: statefulSetPrinter,
  DaemonSet: daemonSetPrinter,
  Job: jobPrinter,
  CronJob: cronJobPrinter,
  HorizontalPodAutoscaler: horizontalPodAutoscalerPrinter,
  ControllerRevision: controllerRevisionPrinter,
  Lease: leasePrinter,
  PodDisruptionBudget: podDisruptionBudgetPrinter,
  NetworkPolicy: networkPolicyPrinter,
  Role: defaultConvertorPrinter,
  ClusterRole: defaultConvertorPrinter,
  RoleBinding: bindingPrinter('roleBinding'),
  ClusterRoleBinding: bindingPrinter('clusterRoleBinding'),
});

/** The printer for `kind`, or {@link DEFAULT_PRINTER} when the kind has none. */
export function printerFor(kind: string): TablePrinter {
  return Object.hasOwn(TABLE_PRINTERS, kind) ? TABLE_PRINTERS[kind]! : DEFAULT_PRINTER;
}
