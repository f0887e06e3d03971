/**
 * The remaining core/v1 kinds: Namespace, Node, Endpoints, ConfigMap, Event, ResourceQuota
 * and ServiceAccount, with the checks Kubernetes applies to each on create.
 */
import type { EndpointSubset, ObjectMeta, Taint } from '../types.js';
import { eachInvalid, oneOf, portNumber } from './checks.js';
import { child, index, key, type FieldErrors } from './field-errors.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidIP,
  isValidLabelValue,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from './names.js';
import {
  kindShape,
  localObjectReferenceShape,
  objectReferenceShape,
  validateObjectMeta,
} from './object-meta-schema.js';
import { quantityValue } from './quantity.js';
import {
  anyObject,
  array,
  boolean,
  int32,
  map,
  object,
  quantity,
  required,
  string,
  type Shape,
} from './shape.js';

type Meta = { metadata?: ObjectMeta };

// ---- Namespace ----

/** A whole Namespace. */
export const namespaceShape: Shape = kindShape({
  spec: object({ finalizers: array(string()) }),
  status: object({ phase: string(), conditions: array(anyObject()) }, { loose: true }),
});

/** Semantic checks of a Namespace: its name is a DNS label, finalizers are qualified names. */
export function validateNamespace(errs: FieldErrors, ns: Meta & { spec?: { finalizers?: string[] } }): void {
  validateObjectMeta(errs, ns.metadata, { name: nameIsDNSLabel });
  ns.spec?.finalizers?.forEach((f, i) =>
    eachInvalid(errs, index('spec.finalizers', i), f, isQualifiedName(f)),
  );
}

// ---- Node ----

/** A whole Node. */
export const nodeShape: Shape = kindShape({
  spec: object({
    podCIDR: string(),
    podCIDRs: array(string()),
    providerID: string(),
    unschedulable: boolean(),
    taints: array(
      object({ key: required(string()), value: string(), effect: required(string()), timeAdded: string() }),
    ),
    configSource: anyObject(),
    externalID: string(),
  }),
  status: object(
    {
      capacity: map(quantity()),
      allocatable: map(quantity()),
      phase: string(),
      conditions: array(anyObject()),
      addresses: array(object({ type: required(string()), address: required(string()) })),
      daemonEndpoints: anyObject(),
      nodeInfo: anyObject(),
      images: array(anyObject()),
      volumesInUse: array(string()),
      volumesAttached: array(anyObject()),
      config: anyObject(),
      runtimeHandlers: array(anyObject()),
      features: anyObject(),
    },
    { loose: true },
  ),
});

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** Semantic checks of a Node: taint syntax and uniqueness by key and effect. */
export function validateNode(errs: FieldErrors, node: Meta & { spec?: { taints?: Taint[] } }): void {
  validateObjectMeta(errs, node.metadata, { name: nameIsDNSSubdomain });
  const seen = new Set<string>();
  node.spec?.taints?.forEach((t, i) => {
    const at = index('spec.taints', i);
    if (t.key !== undefined) eachInvalid(errs, child(at, 'key'), t.key, isQualifiedName(t.key));
    if (t.value) eachInvalid(errs, child(at, 'value'), t.value, isValidLabelValue(t.value));
    if ((t.effect as string) === '') errs.required(child(at, 'effect'));
    else oneOf(errs, child(at, 'effect'), t.effect, TAINT_EFFECTS);
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) errs.duplicate(at, { key: t.key, effect: t.effect });
    seen.add(k);
  });
}

// ---- Endpoints ----

const endpointAddress = object({
  ip: required(string()),
  hostname: string(),
  nodeName: string(),
  targetRef: objectReferenceShape,
});

/** A whole Endpoints. */
export const endpointsShape: Shape = kindShape({
  subsets: array(
    object({
      addresses: array(endpointAddress),
      notReadyAddresses: array(endpointAddress),
      ports: array(
        object({ name: string(), port: required(int32()), protocol: string(), appProtocol: string() }),
      ),
    }),
  ),
});

/** Semantic checks of Endpoints: addresses are IPs, ports are named when there are several. */
export function validateEndpoints(errs: FieldErrors, ep: Meta & { subsets?: EndpointSubset[] }): void {
  validateObjectMeta(errs, ep.metadata, { name: nameIsDNSSubdomain });
  ep.subsets?.forEach((subset, i) => {
    const at = index('subsets', i);
    for (const which of ['addresses', 'notReadyAddresses'] as const) {
      subset[which]?.forEach((a, j) => {
        const aPath = index(child(at, which), j);
        if (a.ip !== undefined) eachInvalid(errs, child(aPath, 'ip'), a.ip, isValidIP(a.ip));
        if (a.hostname) eachInvalid(errs, child(aPath, 'hostname'), a.hostname, isDNS1123Label(a.hostname));
        if (a.nodeName)
          eachInvalid(errs, child(aPath, 'nodeName'), a.nodeName, isDNS1123Subdomain(a.nodeName));
      });
    }
    const names = new Set<string>();
    const ports = subset.ports ?? [];
    ports.forEach((p, j) => {
      const pPath = index(child(at, 'ports'), j);
      if (!p.name) {
        if (ports.length > 1) errs.required(child(pPath, 'name'));
      } else {
        eachInvalid(errs, child(pPath, 'name'), p.name, isDNS1123Label(p.name));
        if (names.has(p.name)) errs.duplicate(child(pPath, 'name'), p.name);
        names.add(p.name);
      }
      portNumber(errs, child(pPath, 'port'), p.port, true);
      oneOf(errs, child(pPath, 'protocol'), p.protocol, ['SCTP', 'TCP', 'UDP']);
    });
  });
}

// ---- ConfigMap ----

/** A whole ConfigMap. */
export const configMapShape: Shape = kindShape({
  data: map(string()),
  binaryData: map(string()),
  immutable: boolean(),
});

/** Kubernetes' limit on the payload of a ConfigMap (and a Secret). */
export const MAX_CONFIG_MAP_BYTES = 1024 * 1024;

/** Semantic checks of a ConfigMap: file-name-safe keys, base64 binary data, at most 1 MiB. */
export function validateConfigMap(
  errs: FieldErrors,
  cm: Meta & { data?: Record<string, string>; binaryData?: Record<string, string> },
): void {
  validateObjectMeta(errs, cm.metadata, { name: nameIsDNSSubdomain });
  let size = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    eachInvalid(errs, key('data', k), k, isConfigMapKey(k));
    size += Buffer.byteLength(v);
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    eachInvalid(errs, key('binaryData', k), k, isConfigMapKey(k));
    if (cm.data && Object.hasOwn(cm.data, k))
      errs.invalid('binaryData', k, 'duplicate of key present in data');
    if (v.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
      errs.invalid(
        key('binaryData', k),
        v.length > 40 ? `${v.slice(0, 37)}...` : v,
        'must be base64-encoded',
      );
    } else {
      size += Buffer.from(v, 'base64').length;
    }
  }
  if (size > MAX_CONFIG_MAP_BYTES) errs.tooLong('data', MAX_CONFIG_MAP_BYTES);
}

// ---- Event ----

/** A whole core/v1 Event. */
export const eventShape: Shape = kindShape({
  involvedObject: objectReferenceShape,
  reason: string(),
  message: string(),
  source: object({ component: string(), host: string() }),
  firstTimestamp: string(),
  lastTimestamp: string(),
  count: int32(),
  type: string(),
  eventTime: string(),
  series: object({ count: int32(), lastObservedTime: string() }),
  action: string(),
  related: objectReferenceShape,
  reportingComponent: string(),
  reportingInstance: string(),
});

/** Semantic checks of an Event: it lives in its involved object's namespace. */
export function validateEvent(
  errs: FieldErrors,
  ev: Meta & { involvedObject?: { namespace?: string } },
): void {
  validateObjectMeta(errs, ev.metadata, { name: nameIsDNSSubdomain });
  const eventNs = ev.metadata?.namespace;
  const objectNs = ev.involvedObject?.namespace ?? '';
  if (eventNs === undefined) return;
  // Events about cluster-scoped objects live in `default`, as old clients put them there.
  const mismatch = objectNs === '' ? eventNs !== '' && eventNs !== 'default' : eventNs !== objectNs;
  if (mismatch) errs.invalid('involvedObject.namespace', objectNs, 'does not match event.namespace');
}

// ---- ResourceQuota ----

/** A whole ResourceQuota. */
export const resourceQuotaShape: Shape = kindShape({
  spec: object({ hard: map(quantity()), scopes: array(string()), scopeSelector: anyObject() }),
  status: object({ hard: map(quantity()), used: map(quantity()) }, { loose: true }),
});

/** Semantic checks of a ResourceQuota: qualified resource names, non-negative amounts. */
export function validateResourceQuota(
  errs: FieldErrors,
  rq: Meta & { spec?: { hard?: Record<string, string | number> } },
): void {
  validateObjectMeta(errs, rq.metadata, { name: nameIsDNSSubdomain });
  for (const [name, q] of Object.entries(rq.spec?.hard ?? {})) {
    const at = key('spec.hard', name);
    eachInvalid(errs, at, name, isQualifiedName(name));
    const value = quantityValue(q);
    if (value !== undefined && value < 0) errs.invalid(at, q, 'must be greater than or equal to 0');
  }
}

// ---- ServiceAccount ----

/** A whole ServiceAccount. */
export const serviceAccountShape: Shape = kindShape({
  secrets: array(objectReferenceShape),
  imagePullSecrets: array(localObjectReferenceShape),
  automountServiceAccountToken: boolean(),
});

/** Semantic checks of a ServiceAccount. */
export function validateServiceAccount(errs: FieldErrors, sa: Meta): void {
  validateObjectMeta(errs, sa.metadata, { name: nameIsDNSSubdomain });
}
