/**
 * The Node authorizer (`--authorization-mode=Node`), after Kubernetes'
 * plugin/pkg/auth/authorizer/node with AuthorizeNodeWithSelectors: what a kubelet may do, judged
 * from its identity and the pods bound to its node. Meant to run before RBAC in a union; it never
 * refuses outright, it only fails to allow, so RBAC may still grant a node more.
 */
import type { Pod } from '../../api/types.js';
import {
  podReferencedNames,
  podServiceAccountName,
  type PodReferencedResource,
} from '../../api/pod-references.js';
import type { AuthorizationDecision, Authorizer } from './authorizer.js';
import { nodeIdentity } from './node-identity.js';
import type { RequestAttributes } from './request-attributes.js';
import { ruleAllows } from './rule-allows.js';

/** The namespace of the nodes' heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * What the Node authorizer knows of the cluster: the relations between a node and the objects its
 * pods refer to (Kubernetes keeps them as a graph fed by informers). A method may reject; the
 * authorizer then does not allow.
 */
export interface NodeGraph {
  /** The pod, or undefined when it does not exist. */
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
  /** The pods of `namespace` bound to `nodeName`. */
  podsOnNode(nodeName: string, namespace: string): Promise<Pod[]>;
}

/**
 * What every node may do whatever its pods: read Services and Endpoints (a kubelet builds its pods'
 * service environment from them) and record Events, as Kubernetes' NodeRules grant (which read
 * Endpoints with `get` only).
 */
const STATIC_RULES = [
  { apiGroups: [''], resources: ['services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'update', 'patch'] },
];

const READ = new Set(['get', 'list', 'watch']);
const WRITE_OWN = new Set(['create', 'update', 'patch']);

/**
 * Decides the requests of users that are nodes (`system:node:<name>` in `system:nodes`); says
 * nothing of anyone else's. A node may:
 * - read every Node, create and update Nodes and patch or update their status (NodeRestriction
 *   confines the writes to its own Node);
 * - get, create, update, patch and delete Leases in `kube-node-lease` named after itself (create
 *   is confined to that name by NodeRestriction);
 * - get a pod bound to it, list and watch pods only with the field selector
 *   `spec.nodeName=<itself>`, update or patch pods' status and delete and create pods
 *   (NodeRestriction confines these to pods bound to it, and creates to mirror pods);
 * - get, list or watch by name a ConfigMap or Secret that a pod bound to it refers to;
 * - request a token (`create serviceaccounts/token`) for a ServiceAccount a pod bound to it runs as
 *   (NodeRestriction requires the token to be bound to such a pod);
 * - read Services and Endpoints, and write Events.
 *
 * Pods are judged as Kubernetes 1.32 does with AuthorizeNodeWithSelectors, so a kubelet's token
 * cannot read another node's pods. Nodes are not: 1.32 lets a node read only its own Node, here a
 * node reads every Node, as before that feature.
 */
export class NodeAuthorizer implements Authorizer {
  constructor(private readonly graph: NodeGraph) {}

  async authorize(attrs: RequestAttributes): Promise<AuthorizationDecision> {
    const node = nodeIdentity(attrs.user);
    if (node === undefined) return noOpinion('');
    if (node === '') return noOpinion(`unknown node for user "${attrs.user.username}"`);
    if (attrs.resourceRequest) {
      switch (`${attrs.apiGroup}/${attrs.resource}`) {
        case '/configmaps':
          return this.readReferenced(node, 'configmaps', attrs);
        case '/secrets':
          return this.readReferenced(node, 'secrets', attrs);
        case '/serviceaccounts':
          return this.createToken(node, attrs);
        case 'coordination.k8s.io/leases':
          return lease(node, attrs);
        case '/nodes':
          return nodes(attrs);
        case '/pods':
          return this.pods(node, attrs);
      }
    }
    return STATIC_RULES.some((rule) => ruleAllows(attrs, rule)) ? allow() : noOpinion('');
  }

  private async pods(node: string, attrs: RequestAttributes): Promise<AuthorizationDecision> {
    const { verb, subresource } = attrs;
    if (subresource === 'status') return verb === 'update' || verb === 'patch' ? allow() : noOpinion('');
    if (subresource !== '') return noOpinion('');
    switch (verb) {
      case 'get':
        return this.related(node, attrs, async () => {
          const pod = await this.graph.getPod(attrs.namespace, attrs.name);
          return pod?.spec.nodeName === node;
        });
      case 'list':
      case 'watch': {
        const scoped = (attrs.fieldSelector ?? []).some(
          (r) => r.field === 'spec.nodeName' && r.operator === '=' && r.value === node,
        );
        if (scoped) return allow();
        if (attrs.name !== '') {
          return this.related(node, attrs, async () => {
            const pod = await this.graph.getPod(attrs.namespace, attrs.name);
            return pod?.spec.nodeName === node;
          });
        }
        return noOpinion('can only list/watch pods with spec.nodeName field selector');
      }
      case 'create':
      case 'delete':
        return allow();
      default:
        return noOpinion('');
    }
  }

  private async readReferenced(
    node: string,
    resource: PodReferencedResource,
    attrs: RequestAttributes,
  ): Promise<AuthorizationDecision> {
    if (!READ.has(attrs.verb)) return noOpinion('can only read resources of this type');
    if (attrs.subresource !== '') return noOpinion('cannot read subresource');
    if (attrs.namespace === '') return noOpinion('can only read namespaced object of this type');
    return this.related(node, attrs, async () => {
      const pods = await this.graph.podsOnNode(node, attrs.namespace);
      return pods.some((pod) => podReferencedNames(pod, resource).has(attrs.name));
    });
  }

  private async createToken(node: string, attrs: RequestAttributes): Promise<AuthorizationDecision> {
    if (attrs.verb !== 'create' || attrs.name === '')
      return noOpinion('can only create tokens for individual service accounts');
    if (attrs.subresource !== 'token')
      return noOpinion('can only create token subresource of serviceaccount');
    if (attrs.namespace === '') return noOpinion('can only create tokens for individual service accounts');
    return this.related(node, attrs, async () => {
      const pods = await this.graph.podsOnNode(node, attrs.namespace);
      return pods.some((pod) => podServiceAccountName(pod) === attrs.name);
    });
  }

  /** Allows when `isRelated` finds the named object related to the node; an unnamed request never is. */
  private async related(
    node: string,
    attrs: RequestAttributes,
    isRelated: () => Promise<boolean>,
  ): Promise<AuthorizationDecision> {
    if (attrs.name === '') return noOpinion('No Object name found');
    const unrelated = `no relationship found between node '${node}' and this object`;
    try {
      return (await isRelated()) ? allow() : noOpinion(unrelated);
    } catch (e) {
      return { allowed: false, reason: `${unrelated}: ${(e as Error).message}`, forbiddenReason: unrelated };
    }
  }
}

function lease(node: string, attrs: RequestAttributes): AuthorizationDecision {
  const { verb } = attrs;
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(verb))
    return noOpinion('can only get, create, update, patch, or delete a node lease');
  if (attrs.namespace !== NODE_LEASE_NAMESPACE)
    return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  // A create names no object here; NodeRestriction checks the name in the body.
  if (verb !== 'create' && attrs.name !== node)
    return noOpinion('can only access node lease with the same name as the requesting node');
  return allow();
}

function nodes(attrs: RequestAttributes): AuthorizationDecision {
  const { verb, subresource } = attrs;
  if (subresource === '' && (READ.has(verb) || WRITE_OWN.has(verb))) return allow();
  if (subresource === 'status' && (verb === 'update' || verb === 'patch')) return allow();
  return noOpinion('');
}

function allow(): AuthorizationDecision {
  return { allowed: true, reason: '' };
}

function noOpinion(reason: string): AuthorizationDecision {
  return reason ? { allowed: false, reason, forbiddenReason: reason } : { allowed: false, reason };
}
