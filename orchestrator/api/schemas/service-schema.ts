/**
 * core/v1 Service: structure and the checks of Kubernetes' `ValidateService` that do not
 * depend on the previous object (type changes are the update strategy's concern).
 */
import type { ObjectMeta, ServicePort } from '../types.js';
import { eachInvalid, oneOf, portNumber, portNumberOrName } from './checks.js';
import { child, index, type FieldErrors } from './field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidIP, nameIsDNS1035Label } from './names.js';
import { kindShape, validateLabels, validateObjectMeta } from './object-meta-schema.js';
import {
  anyObject,
  array,
  boolean,
  int32,
  intOrString,
  map,
  object,
  required,
  string,
  type Shape,
} from './shape.js';

const servicePort = object({
  name: string(),
  protocol: string(),
  appProtocol: string(),
  port: required(int32()),
  targetPort: intOrString(),
  nodePort: int32(),
});

/** A whole Service. */
export const serviceShape: Shape = kindShape({
  spec: object({
    ports: array(servicePort),
    selector: map(string()),
    clusterIP: string(),
    clusterIPs: array(string()),
    type: string(),
    externalIPs: array(string()),
    sessionAffinity: string(),
    loadBalancerIP: string(),
    loadBalancerSourceRanges: array(string()),
    externalName: string(),
    externalTrafficPolicy: string(),
    healthCheckNodePort: int32(),
    publishNotReadyAddresses: boolean(),
    sessionAffinityConfig: object({ clientIP: object({ timeoutSeconds: int32() }) }),
    ipFamilies: array(string()),
    ipFamilyPolicy: string(),
    allocateLoadBalancerNodePorts: boolean(),
    loadBalancerClass: string(),
    internalTrafficPolicy: string(),
    trafficDistribution: string(),
  }),
  status: object({ loadBalancer: anyObject(), conditions: array(anyObject()) }, { loose: true }),
});

interface ServiceSpecIn {
  ports?: (ServicePort & { protocol?: string })[];
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  type?: string;
  externalIPs?: string[];
  externalName?: string;
  sessionAffinity?: string;
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string;
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  healthCheckNodePort?: number;
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;

function validatePorts(errs: FieldErrors, spec: ServiceSpecIn): void {
  const path = 'spec.ports';
  const ports = spec.ports ?? [];
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.required(path);
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const at = index(path, i);
    if (!p.name) {
      if (ports.length > 1) errs.required(child(at, 'name'));
    } else {
      eachInvalid(errs, child(at, 'name'), p.name, isDNS1123Label(p.name));
      if (names.has(p.name)) errs.duplicate(child(at, 'name'), p.name);
      names.add(p.name);
    }
    portNumber(errs, child(at, 'port'), p.port, true);
    oneOf(errs, child(at, 'protocol'), p.protocol, PROTOCOLS);
    if (p.targetPort !== 0 && p.targetPort !== '')
      portNumberOrName(errs, child(at, 'targetPort'), p.targetPort);
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      // Whether it is in --service-node-port-range is the allocator's to say, as upstream.
      portNumber(errs, child(at, 'nodePort'), p.nodePort, false);
      const nodeKey = `${p.nodePort}/${p.protocol ?? 'TCP'}`;
      if (nodePorts.has(nodeKey)) errs.duplicate(child(at, 'nodePort'), p.nodePort);
      nodePorts.add(nodeKey);
    }
    if (p.port !== undefined) {
      const k = `${p.port}/${p.protocol ?? 'TCP'}`;
      if (keys.has(k)) errs.duplicate(at, { port: p.port, protocol: p.protocol ?? 'TCP' });
      keys.add(k);
    }
  });
}

function validateIP(errs: FieldErrors, path: string, ip: string | undefined, allowNone: boolean): void {
  if (ip === undefined || ip === '' || (allowNone && ip === 'None')) return;
  eachInvalid(errs, path, ip, isValidIP(ip));
}

/** Semantic checks of a whole Service. */
export function validateService(
  errs: FieldErrors,
  svc: { metadata?: ObjectMeta; spec?: ServiceSpecIn },
): void {
  validateObjectMeta(errs, svc.metadata, { name: nameIsDNS1035Label });
  const spec = svc.spec ?? {};
  oneOf(errs, 'spec.type', spec.type, SERVICE_TYPES);
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) errs.required('spec.externalName');
    else
      eachInvalid(
        errs,
        'spec.externalName',
        spec.externalName,
        isDNS1123Subdomain(spec.externalName.replace(/\.$/, '')),
      );
    if (spec.clusterIP) errs.forbidden('spec.clusterIP', 'may not be set for ExternalName services');
  }
  validatePorts(errs, spec);
  validateLabels(errs, 'spec.selector', spec.selector);
  validateIP(errs, 'spec.clusterIP', spec.clusterIP, true);
  spec.clusterIPs?.forEach((ip, i) => validateIP(errs, index('spec.clusterIPs', i), ip, true));
  spec.externalIPs?.forEach((ip, i) => validateIP(errs, index('spec.externalIPs', i), ip, false));
  oneOf(errs, 'spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']);
  oneOf(errs, 'spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES);
  oneOf(errs, 'spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES);
  oneOf(errs, 'spec.ipFamilyPolicy', spec.ipFamilyPolicy, [
    'SingleStack',
    'PreferDualStack',
    'RequireDualStack',
  ]);
  const families = new Set<string>();
  spec.ipFamilies?.forEach((f, i) => {
    const at = index('spec.ipFamilies', i);
    oneOf(errs, at, f, ['IPv4', 'IPv6']);
    if (families.has(f)) errs.duplicate(at, f);
    families.add(f);
  });
  if (spec.healthCheckNodePort) portNumber(errs, 'spec.healthCheckNodePort', spec.healthCheckNodePort, false);
}
