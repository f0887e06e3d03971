/**
 * The NodeRestriction admission plugin, after Kubernetes' plugin/pkg/admission/noderestriction:
 * the Node authorizer lets a kubelet write Nodes, Leases and pods in general; this confines those
 * writes to its own Node, its own Lease and the pods bound to it. Pure decisions over the request's
 * user and objects; every refusal is a Forbidden `ApiError` worded as kube-apiserver words it.
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError, qualifiedResource } from '../api/errors.js';
import { podReferencedNames } from '../api/pod-references.js';
import type { ResourceType } from '../api/resources.js';
import type { KubeObject, Node, Pod, TokenRequest } from '../api/types.js';
import { NODE_LEASE_NAMESPACE, nodeIdentity, type UserInfo } from './auth/index.js';

/** The annotation that marks a kubelet's mirror of a static pod. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Labels a kubelet may set on its Node although they are in a Kubernetes namespace. */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
]);
/** Label namespaces (and their subdomains) a kubelet may set freely. */
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];
/** The label namespace reserved for labels a node must not set on itself. */
const NODE_RESTRICTION_LABEL_NAMESPACE = 'node-restriction.kubernetes.io';

/**
 * Admits or refuses a node's writes; requests of users that are not nodes pass untouched. Each
 * method throws a Forbidden `ApiError` for a write the node may not make.
 */
export class NodeRestriction {
  /** A create of `obj` (its namespace and name set) as `user`. */
  admitCreate(user: UserInfo, r: ResourceType, obj: KubeObject): void {
    const node = nodeOf(user, r, obj.metadata.name ?? '');
    if (node === undefined) return;
    const name = obj.metadata.name ?? '';
    switch (resourceKey(r)) {
      case '/pods':
        return admitMirrorPod(node, r, obj as Pod);
      case '/nodes': {
        if (name !== node) throw forbidden(r, name, `node "${node}" is not allowed to modify node "${name}"`);
        const labels = forbiddenLabels(modifiedLabels(obj.metadata.labels, undefined));
        if (labels.length > 0)
          throw forbidden(
            r,
            name,
            `node "${node}" is not allowed to set the following labels: ${labels.join(', ')}`,
          );
        return;
      }
      case 'coordination.k8s.io/leases':
        return admitLease(node, r, obj.metadata.namespace ?? '', name);
    }
  }

  /** An update (or patch) of `live` into `next`, of the object or of `subresource`, as `user`. */
  admitUpdate(
    user: UserInfo,
    r: ResourceType,
    subresource: string,
    next: KubeObject,
    live: KubeObject,
  ): void {
    const name = live.metadata.name ?? '';
    const node = nodeOf(user, r, name);
    if (node === undefined) return;
    switch (resourceKey(r)) {
      case '/pods': {
        if (subresource !== 'status') {
          if (subresource !== '') throw unexpectedPodSubresource(r, name, subresource);
          throw forbidden(
            r,
            name,
            `unexpected operation "UPDATE", node "${node}" can only create and delete mirror pods`,
          );
        }
        if ((live as Pod).spec.nodeName !== node)
          throw forbidden(
            r,
            name,
            `node "${node}" can only update pod status for pods with spec.nodeName set to itself`,
          );
        if (!isDeepStrictEqual(live.metadata.labels ?? {}, next.metadata.labels ?? {}))
          throw forbidden(r, name, `node "${node}" cannot update labels through pod status`);
        return;
      }
      case '/nodes': {
        if (name !== node) throw forbidden(r, name, `node "${node}" is not allowed to modify node "${name}"`);
        if (!isDeepStrictEqual((next as Node).spec?.taints ?? [], (live as Node).spec?.taints ?? []))
          throw forbidden(r, name, `node "${node}" is not allowed to modify taints`);
        const labels = forbiddenLabels(modifiedLabels(next.metadata.labels, live.metadata.labels));
        if (labels.length > 0)
          throw forbidden(r, name, `is not allowed to modify labels: ${labels.join(', ')}`);
        return;
      }
      case 'coordination.k8s.io/leases':
        return admitLease(node, r, live.metadata.namespace ?? '', name);
    }
  }

  /** A delete of `live` as `user`. */
  admitDelete(user: UserInfo, r: ResourceType, live: KubeObject): void {
    const name = live.metadata.name ?? '';
    const node = nodeOf(user, r, name);
    if (node === undefined) return;
    switch (resourceKey(r)) {
      case '/pods':
        if ((live as Pod).spec.nodeName !== node)
          throw forbidden(r, name, `node "${node}" can only delete pods with spec.nodeName set to itself`);
        return;
      case '/nodes':
        if (name !== node) throw forbidden(r, name, `node "${node}" is not allowed to modify node "${name}"`);
        return;
      case 'coordination.k8s.io/leases':
        return admitLease(node, r, live.metadata.namespace ?? '', name);
    }
  }

  /**
   * A TokenRequest for service account `serviceAccount` as `user`: a node's token must be bound
   * to a pod, by name and uid, and that pod (`boundPod`, undefined when it does not exist) must be
   * bound to the node. Throws NotFound for a missing pod, as kube-apiserver does.
   */
  admitTokenRequest(
    user: UserInfo,
    r: ResourceType,
    serviceAccount: string,
    request: TokenRequest,
    boundPod: Pod | undefined,
  ): void {
    const node = nodeOf(user, r, serviceAccount);
    if (node === undefined) return;
    const ref = request.spec.boundObjectRef;
    if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name)
      throw forbidden(r, serviceAccount, 'node requested token not bound to a pod');
    if (!ref.uid) throw forbidden(r, serviceAccount, 'node requested token with a pod binding without a uid');
    if (!boundPod)
      throw new ApiError('NotFound', `pods "${ref.name}" not found`, { name: ref.name, kind: 'pods' });
    if (boundPod.metadata.uid !== ref.uid)
      throw forbidden(
        r,
        serviceAccount,
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    if (boundPod.spec.nodeName !== node)
      throw forbidden(r, serviceAccount, 'node requested token bound to a pod scheduled on a different node');
  }
}

/**
 * The node `user` is, or undefined when the user is no node. A member of `system:nodes` whose
 * name says no node is refused everything.
 */
function nodeOf(user: UserInfo, r: ResourceType, name: string): string | undefined {
  const node = nodeIdentity(user);
  if (node === '') throw forbidden(r, name, `could not determine node from user "${user.username}"`);
  return node;
}

function resourceKey(r: ResourceType): string {
  return `${r.group}/${r.resource}`;
}

function admitLease(node: string, r: ResourceType, namespace: string, name: string): void {
  if (namespace !== NODE_LEASE_NAMESPACE)
    throw forbidden(r, name, `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  if (name !== node)
    throw forbidden(r, name, 'can only access node lease with the same name as the requesting node');
}

/**
 * A node may create only the mirror of one of its static pods: bound to itself, owned by its
 * Node, referring to nothing a kubelet would need the Node authorizer for. (Kubernetes also checks
 * the owner's uid against the Node; crucible runs no static pods, so every node create is refused
 * before that would matter.)
 */
function admitMirrorPod(node: string, r: ResourceType, pod: Pod): void {
  const name = pod.metadata.name ?? '';
  const refuse = (message: string) => forbidden(r, name, message);
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] === undefined)
    throw refuse(
      `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`,
    );
  if (pod.spec.nodeName !== node)
    throw refuse(`node "${node}" can only create pods with spec.nodeName set to itself`);
  const owners = pod.metadata.ownerReferences ?? [];
  if (owners.length > 1)
    throw refuse(`node "${node}" can only create pods with a single owner reference set to itself`);
  const owner = owners[0];
  if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node)
    throw refuse(`node "${node}" can only create pods with an owner reference set to itself`);
  if (!owner.controller)
    throw refuse(`node "${node}" can only create pods with a controller owner reference set to itself`);
  if (owner.blockOwnerDeletion)
    throw refuse(`node "${node}" must not set blockOwnerDeletion on an owner reference`);
  if (pod.spec.serviceAccountName)
    throw refuse(`node "${node}" can not create pods that reference a service account`);
  if (podReferencedNames(pod, 'secrets').size > 0)
    throw refuse(`node "${node}" can not create pods that reference secrets`);
  if (podReferencedNames(pod, 'configmaps').size > 0)
    throw refuse(`node "${node}" can not create pods that reference configmaps`);
}

function unexpectedPodSubresource(r: ResourceType, name: string, subresource: string): ApiError {
  return forbidden(
    r,
    name,
    `unexpected pod subresource "${subresource}", only 'status' and 'eviction' are allowed`,
  );
}

/** Keys whose values differ between the two label sets, including added and removed ones. */
function modifiedLabels(
  next: Record<string, string> | undefined,
  previous: Record<string, string> | undefined,
): string[] {
  const a = next ?? {};
  const b = previous ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]);
}

/**
 * The labels among `keys` a node may not set, sorted: those under node-restriction.kubernetes.io,
 * and any other kubernetes.io or k8s.io label a kubelet does not own.
 */
function forbiddenLabels(keys: string[]): string[] {
  return keys
    .filter((key) => {
      const namespace = labelNamespace(key);
      if (inDomain(namespace, NODE_RESTRICTION_LABEL_NAMESPACE)) return true;
      const kubernetes = inDomain(namespace, 'kubernetes.io') || inDomain(namespace, 'k8s.io');
      return kubernetes && !isKubeletLabel(key, namespace);
    })
    .sort();
}

function isKubeletLabel(key: string, namespace: string): boolean {
  return KUBELET_LABELS.has(key) || KUBELET_LABEL_NAMESPACES.some((ns) => inDomain(namespace, ns));
}

function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

/** `namespace` is `domain` or one of its subdomains. */
function inDomain(namespace: string, domain: string): boolean {
  return namespace === domain || namespace.endsWith(`.${domain}`);
}

/** kube-apiserver's admission Forbidden: `<resource> "<name>" is forbidden: <why>`. */
function forbidden(r: ResourceType, name: string, why: string): ApiError {
  const subject = qualifiedResource(r.resource, r.group);
  const message = name ? `${subject} "${name}" is forbidden: ${why}` : `${subject} is forbidden: ${why}`;
  return new ApiError('Forbidden', message, { name, group: r.group, kind: r.resource });
}
