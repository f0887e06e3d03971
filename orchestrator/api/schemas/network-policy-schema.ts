/**
 * networking.k8s.io/v1 NetworkPolicy: structure and the checks of Kubernetes'
 * `ValidateNetworkPolicy`, plus the features this cluster's network cannot enforce, refused by
 * name (see {@link UNENFORCEABLE}) rather than admitted and silently never applied.
 */
import { cidrContains, parseCidr } from '../cidr.js';
import type {
  IPBlock,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
  ObjectMeta,
} from '../types.js';
import { duplicates, eachInvalid, oneOf, portNumberOrName } from './checks.js';
import { child, formatValue, index, type FieldErrors } from './field-errors.js';
import { isValidPortNum, nameIsDNSSubdomain } from './names.js';
import {
  kindShape,
  labelSelectorShape,
  validateLabelSelector,
  validateObjectMeta,
} from './object-meta-schema.js';
import { array, int32, intOrString, object, required, string, type Shape } from './shape.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const POLICY_TYPES = ['Ingress', 'Egress'] as const;
const CIDR_EXAMPLES = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/**
 * What crucible's network cannot enforce, each with the reason a refusal gives. A policy using
 * one of them is refused with a 422, never admitted and ignored.
 */
export const UNENFORCEABLE = Object.freeze({
  /** An `ipBlock` among an ingress rule's `from` peers (egress `to` ipBlocks are enforceable). */
  ingressIpBlock:
    "crucible's pods share their node's address, so a source address cannot tell pods or outside clients apart; select peers with podSelector/namespaceSelector",
  /** Protocol SCTP on any rule's port. */
  sctp: "crucible's network does not forward SCTP, so a rule for it could never match; use TCP or UDP",
});

const portShape = object({ protocol: string(), port: intOrString(), endPort: int32() });

const peerShape = object({
  podSelector: labelSelectorShape,
  namespaceSelector: labelSelectorShape,
  ipBlock: object({ cidr: required(string()), except: array(string()) }),
});

/** A whole NetworkPolicy. */
export const networkPolicyShape: Shape = kindShape({
  spec: object({
    podSelector: labelSelectorShape,
    ingress: array(object({ ports: array(portShape), from: array(peerShape) })),
    egress: array(object({ ports: array(portShape), to: array(peerShape) })),
    policyTypes: array(string()),
  }),
});

/** Semantic checks of a whole NetworkPolicy, then the refusals of {@link UNENFORCEABLE}. */
export function validateNetworkPolicy(
  errs: FieldErrors,
  policy: { metadata?: ObjectMeta; spec?: Partial<NetworkPolicySpec> },
): void {
  validateObjectMeta(errs, policy.metadata, { name: nameIsDNSSubdomain });
  const spec = policy.spec ?? {};
  if (spec.podSelector === undefined)
    errs.required('spec.podSelector', 'an empty selector ({}) selects every pod of the namespace');
  validateLabelSelector(errs, 'spec.podSelector', spec.podSelector);
  spec.ingress?.forEach((rule, i) => {
    const at = index('spec.ingress', i);
    rule.ports?.forEach((port, j) => validatePort(errs, index(child(at, 'ports'), j), port));
    rule.from?.forEach((peer, j) => validatePeer(errs, index(child(at, 'from'), j), peer));
  });
  spec.egress?.forEach((rule, i) => {
    const at = index('spec.egress', i);
    rule.ports?.forEach((port, j) => validatePort(errs, index(child(at, 'ports'), j), port));
    rule.to?.forEach((peer, j) => validatePeer(errs, index(child(at, 'to'), j), peer));
  });
  spec.policyTypes?.forEach((type, i) => oneOf(errs, index('spec.policyTypes', i), type, POLICY_TYPES));
  duplicates(
    errs,
    spec.policyTypes,
    (i) => index('spec.policyTypes', i),
    (type) => type,
  );
  refuseUnenforceable(errs, spec);
}

/** Upstream's ValidateNetworkPolicyPort: a range (`endPort`) only from a numeric `port`. */
function validatePort(errs: FieldErrors, path: string, port: NetworkPolicyPort): void {
  oneOf(errs, child(path, 'protocol'), port.protocol, PROTOCOLS);
  portNumberOrName(errs, child(path, 'port'), port.port);
  if (port.endPort === undefined) return;
  const endPortPath = child(path, 'endPort');
  if (port.port === undefined)
    errs.invalid(endPortPath, port.endPort, 'may not be specified when `port` is not specified');
  else if (typeof port.port === 'string')
    errs.invalid(endPortPath, port.endPort, 'may not be specified when `port` is non-numeric');
  else {
    if (port.endPort < port.port)
      errs.invalid(endPortPath, port.endPort, 'must be greater than or equal to `port`');
    eachInvalid(errs, endPortPath, port.endPort, isValidPortNum(port.endPort));
  }
}

/** Upstream's ValidateNetworkPolicyPeer: at least one selector or an ipBlock, and an ipBlock alone. */
function validatePeer(errs: FieldErrors, path: string, peer: NetworkPolicyPeer): void {
  const given = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((p) => p !== undefined);
  validateLabelSelector(errs, child(path, 'podSelector'), peer.podSelector);
  validateLabelSelector(errs, child(path, 'namespaceSelector'), peer.namespaceSelector);
  if (peer.ipBlock) validateIPBlock(errs, child(path, 'ipBlock'), peer.ipBlock);
  if (given.length === 0) errs.required(path, 'must specify a peer');
  else if (given.length > 1 && peer.ipBlock)
    errs.forbidden(path, 'may not specify both ipBlock and another peer');
}

/** Upstream's ValidateIPBlock: a CIDR, and each `except` a CIDR strictly inside it. */
function validateIPBlock(errs: FieldErrors, path: string, block: Partial<IPBlock>): void {
  if (!block.cidr) {
    errs.required(child(path, 'cidr'));
    return;
  }
  const cidr = parseCidr(block.cidr);
  if (!cidr) errs.invalid(child(path, 'cidr'), block.cidr, CIDR_EXAMPLES);
  block.except?.forEach((text, i) => {
    const at = index(child(path, 'except'), i);
    const except = parseCidr(text);
    if (!except) errs.invalid(at, text, CIDR_EXAMPLES);
    else if (cidr && !(cidrContains(cidr, except) && except.prefix > cidr.prefix))
      errs.invalid(at, text, 'must be a strict subset of `cidr`');
  });
}

/** The refusals of {@link UNENFORCEABLE}, each at the field that asks for it. */
function refuseUnenforceable(errs: FieldErrors, spec: Partial<NetworkPolicySpec>): void {
  const refuseSctp = (rulePath: string, ports: NetworkPolicyPort[] | undefined) =>
    ports?.forEach((port, j) => {
      if (port.protocol === 'SCTP')
        errs.unsupported(
          child(index(child(rulePath, 'ports'), j), 'protocol'),
          formatValue(port.protocol),
          UNENFORCEABLE.sctp,
        );
    });
  spec.ingress?.forEach((rule, i) => {
    const at = index('spec.ingress', i);
    refuseSctp(at, rule.ports);
    rule.from?.forEach((peer, j) => {
      if (peer.ipBlock)
        errs.unsupported(
          child(index(child(at, 'from'), j), 'ipBlock'),
          'ipBlock',
          UNENFORCEABLE.ingressIpBlock,
        );
    });
  });
  spec.egress?.forEach((rule, i) => refuseSctp(index('spec.egress', i), rule.ports));
}
