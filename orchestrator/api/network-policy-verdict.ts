import { cidrContains, parseCidr, subtractCidrs } from './cidr.js';
import { labelSelectorFromObject, type LabelSelectorMatcher } from './selectors/index.js';
import type {
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicyType,
} from './types.js';

/** A pod as policies see it: where it lives and its labels. */
export interface PolicySubject {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** Its address (its node's, in crucible): what an egress ipBlock is matched against. */
  ip?: string;
}

/** One port of a destination pod: its container port, the port's name, and protocol. */
export interface PolicyPort {
  containerPort: number;
  name?: string;
  protocol: string;
}

/** Where an egress rule lets a pod go outside the cluster's pods: address blocks and ports. */
export interface AddressAllowance {
  /** IPv4 blocks, `except` already taken out; absent: every address. */
  cidrs?: string[];
  /** Numeric ports (named ones only name pods' ports); absent: every port. */
  ports?: { protocol: string; from: number; to: number }[];
}

/**
 * The NetworkPolicy semantics of networking.k8s.io/v1, as every conforming network plugin applies
 * them, over one snapshot of the cluster's policies and namespace labels:
 * - a pod is isolated for ingress (egress) when some policy of its namespace selects it and lists
 *   that type in policyTypes; a pod no policy isolates allows everything that way;
 * - an isolated pod allows a connection when at least one rule of one selecting policy allows it
 *   (rules and policies add up, never subtract);
 * - a connection between two pods needs both the client's egress and the server's ingress;
 * - an egress ipBlock matches a pod by its address, as an address-based plugin does (upstream
 *   leaves it to the plugin). Ingress ipBlocks are refused at admission: pods share their node's
 *   address here, so a source address says nothing about which pod sent it.
 * A pod's connection to itself is always allowed.
 */
export class NetworkPolicyVerdicts {
  private readonly compiled: CompiledPolicy[];

  constructor(
    policies: readonly NetworkPolicy[],
    /** The labels of a namespace, `kubernetes.io/metadata.name` included; undefined when unknown. */
    private readonly namespaceLabels: (namespace: string) => Readonly<Record<string, string>> | undefined,
  ) {
    this.compiled = policies.map(compile);
  }

  /** Whether any policy exists at all: with none, every connection is allowed and nothing needs judging. */
  get empty(): boolean {
    return this.compiled.length === 0;
  }

  /** Whether some policy isolates some pod for egress. */
  get isolatesEgress(): boolean {
    return this.compiled.some((p) => p.types.has('Egress'));
  }

  isolated(pod: PolicySubject, type: NetworkPolicyType): boolean {
    return this.selecting(pod, type).length > 0;
  }

  /** Whether `from` may open a connection to `port` of pod `to`. */
  allows(from: PolicySubject, to: PolicySubject, port: PolicyPort, self = false): boolean {
    if (self) return true;
    return this.egressAllows(from, to, port) && this.ingressAllows(from, to, port);
  }

  /**
   * Where an egress-isolated pod may go outside the cluster's pods (its ipBlock rules, and rules
   * with no `to` at all); undefined when it is not isolated for egress (everything).
   */
  addressAllowances(from: PolicySubject): AddressAllowance[] | undefined {
    const policies = this.selecting(from, 'Egress');
    if (policies.length === 0) return undefined;
    const allowances: AddressAllowance[] = [];
    for (const policy of policies)
      for (const rule of policy.source.spec.egress ?? []) {
        const ports = numericPorts(rule.ports);
        // Named ports only name pods' ports: a rule of named ports alone allows no address.
        if (ports !== undefined && ports.length === 0) continue;
        const peers = rule.to ?? [];
        if (peers.length === 0) allowances.push(ports ? { ports } : {});
        for (const peer of peers)
          if (peer.ipBlock)
            allowances.push({
              cidrs: subtractCidrs(peer.ipBlock.cidr, peer.ipBlock.except ?? []),
              ...(ports ? { ports } : {}),
            });
      }
    return allowances;
  }

  private egressAllows(from: PolicySubject, to: PolicySubject, port: PolicyPort): boolean {
    const policies = this.selecting(from, 'Egress');
    if (policies.length === 0) return true;
    return policies.some((p) =>
      (p.source.spec.egress ?? []).some(
        (rule) => portsMatch(rule.ports, port) && peersMatch(p, rule.to, to, this.namespaceLabels),
      ),
    );
  }

  private ingressAllows(from: PolicySubject, to: PolicySubject, port: PolicyPort): boolean {
    const policies = this.selecting(to, 'Ingress');
    if (policies.length === 0) return true;
    return policies.some((p) =>
      (p.source.spec.ingress ?? []).some(
        (rule) => portsMatch(rule.ports, port) && peersMatch(p, rule.from, from, this.namespaceLabels),
      ),
    );
  }

  private selecting(pod: PolicySubject, type: NetworkPolicyType): CompiledPolicy[] {
    return this.compiled.filter(
      (p) => p.namespace === pod.namespace && p.types.has(type) && p.podSelector.matches(pod.labels),
    );
  }
}

interface CompiledPolicy {
  source: NetworkPolicy;
  namespace: string;
  types: ReadonlySet<NetworkPolicyType>;
  podSelector: LabelSelectorMatcher;
  selectors: WeakMap<LabelSelector, LabelSelectorMatcher>;
}

function compile(policy: NetworkPolicy): CompiledPolicy {
  const spec = policy.spec;
  // The apiserver defaults policyTypes; a policy read from elsewhere gets upstream's default here.
  const types = spec.policyTypes ?? (spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress']);
  return {
    source: policy,
    namespace: policy.metadata.namespace ?? 'default',
    types: new Set(types),
    podSelector: labelSelectorFromObject(spec.podSelector ?? {}),
    selectors: new WeakMap(),
  };
}

function matcher(policy: CompiledPolicy, selector: LabelSelector): LabelSelectorMatcher {
  let m = policy.selectors.get(selector);
  if (!m) policy.selectors.set(selector, (m = labelSelectorFromObject(selector)));
  return m;
}

/** No peers: every source (destination). Otherwise any peer that matches the pod. */
function peersMatch(
  policy: CompiledPolicy,
  peers: readonly NetworkPolicyPeer[] | undefined,
  pod: PolicySubject,
  namespaceLabels: (namespace: string) => Readonly<Record<string, string>> | undefined,
): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((peer) => {
    if (peer.ipBlock)
      return pod.ip !== undefined && ipBlockContains(peer.ipBlock.cidr, peer.ipBlock.except ?? [], pod.ip);
    const namespaceOk = peer.namespaceSelector
      ? matcher(policy, peer.namespaceSelector).matches(
          withNameLabel(pod.namespace, namespaceLabels(pod.namespace)),
        )
      : pod.namespace === policy.namespace;
    if (!namespaceOk) return false;
    return peer.podSelector ? matcher(policy, peer.podSelector).matches(pod.labels) : true;
  });
}

function withNameLabel(
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> {
  return { ...labels, 'kubernetes.io/metadata.name': namespace };
}

/** No ports: every port. Otherwise any entry of the same protocol that names or spans the port. */
function portsMatch(ports: readonly NetworkPolicyPort[] | undefined, port: PolicyPort): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== port.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return p.port === port.name;
    return port.containerPort >= p.port && port.containerPort <= (p.endPort ?? p.port);
  });
}

/** The numeric entries of a rule's ports; undefined for a rule without ports (every port). */
function numericPorts(
  ports: readonly NetworkPolicyPort[] | undefined,
): { protocol: string; from: number; to: number }[] | undefined {
  if (!ports || ports.length === 0) return undefined;
  return ports.flatMap((p) => {
    const protocol = p.protocol ?? 'TCP';
    if (p.port === undefined) return [{ protocol, from: 1, to: 65535 }];
    if (typeof p.port === 'string') return [];
    return [{ protocol, from: p.port, to: p.endPort ?? p.port }];
  });
}

/** Whether `ip` lies in `cidr` and in none of `except`. */
function ipBlockContains(cidr: string, except: readonly string[], ip: string): boolean {
  const address = parseCidr(`${ip}/${ip.includes(':') ? 128 : 32}`);
  const inBlock = (text: string) => {
    const block = parseCidr(text);
    return block !== undefined && address !== undefined && cidrContains(block, address);
  };
  return inBlock(cidr) && !except.some(inBlock);
}
