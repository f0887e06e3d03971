/**
 * rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding, with
 * the checks of Kubernetes' RBAC validation. RBAC names are URL path segments, not DNS
 * names, which is what allows `system:node`.
 */
import type { LabelSelector, ObjectMeta, PolicyRule } from '../types.js';
import { eachInvalid, oneOf } from './checks.js';
import { child, index, type FieldErrors } from './field-errors.js';
import { isDNS1123Subdomain, nameIsPathSegment, isValidPathSegmentName } from './names.js';
import {
  kindShape,
  labelSelectorShape,
  validateLabelSelector,
  validateObjectMeta,
} from './object-meta-schema.js';
import { array, object, required, string, type Shape } from './shape.js';

/** The API group roles and bindings refer to. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

const policyRule = object({
  verbs: required(array(string())),
  apiGroups: array(string()),
  resources: array(string()),
  resourceNames: array(string()),
  nonResourceURLs: array(string()),
});

/** A whole Role. */
export const roleShape: Shape = kindShape({ rules: array(policyRule) });

/** A whole ClusterRole. */
export const clusterRoleShape: Shape = kindShape({
  rules: array(policyRule),
  aggregationRule: object({ clusterRoleSelectors: array(labelSelectorShape) }),
});

const bindingFields = {
  subjects: array(
    object({ kind: required(string()), apiGroup: string(), name: required(string()), namespace: string() }),
  ),
  roleRef: required(
    object({ apiGroup: required(string()), kind: required(string()), name: required(string()) }),
  ),
};

/** A whole RoleBinding. */
export const roleBindingShape: Shape = kindShape(bindingFields);

/** A whole ClusterRoleBinding. */
export const clusterRoleBindingShape: Shape = kindShape(bindingFields);

function validatePolicyRule(
  errs: FieldErrors,
  path: string,
  rule: Partial<PolicyRule>,
  namespaced: boolean,
): void {
  if (!rule.verbs || rule.verbs.length === 0) {
    errs.required(child(path, 'verbs'), 'verbs must contain at least one value');
  }
  if (rule.nonResourceURLs && rule.nonResourceURLs.length > 0) {
    if (namespaced) {
      errs.invalid(
        child(path, 'nonResourceURLs'),
        rule.nonResourceURLs,
        'namespaced rules cannot apply to non-resource URLs',
      );
    }
    if (
      (rule.apiGroups?.length ?? 0) + (rule.resources?.length ?? 0) + (rule.resourceNames?.length ?? 0) >
      0
    ) {
      errs.invalid(
        child(path, 'nonResourceURLs'),
        rule.nonResourceURLs,
        'rules cannot apply to both regular resources and non-resource URLs',
      );
    }
    return;
  }
  if (!rule.apiGroups || rule.apiGroups.length === 0) {
    errs.required(child(path, 'apiGroups'), 'resource rules must supply at least one api group');
  }
  if (!rule.resources || rule.resources.length === 0) {
    errs.required(child(path, 'resources'), 'resource rules must supply at least one resource');
  }
}

interface RoleIn {
  metadata?: ObjectMeta;
  rules?: Partial<PolicyRule>[];
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
}

/** Semantic checks of a Role (`namespaced`) or ClusterRole. */
export function validateRole(errs: FieldErrors, role: RoleIn, namespaced: boolean): void {
  validateObjectMeta(errs, role.metadata, { name: nameIsPathSegment });
  role.rules?.forEach((rule, i) => validatePolicyRule(errs, index('rules', i), rule, namespaced));
  if (!namespaced && role.aggregationRule) {
    const selectors = role.aggregationRule.clusterRoleSelectors ?? [];
    const path = 'aggregationRule.clusterRoleSelectors';
    if (selectors.length === 0) {
      errs.required(path, 'at least one clusterRoleSelector required if aggregationRule is non-nil');
    }
    selectors.forEach((s, i) => validateLabelSelector(errs, index(path, i), s));
  }
}

interface BindingIn {
  metadata?: ObjectMeta;
  subjects?: { kind?: string; apiGroup?: string; name?: string; namespace?: string }[];
  roleRef?: { apiGroup?: string; kind?: string; name?: string };
}

/** Semantic checks of a RoleBinding (`namespaced`) or ClusterRoleBinding. */
export function validateBinding(errs: FieldErrors, binding: BindingIn, namespaced: boolean): void {
  validateObjectMeta(errs, binding.metadata, { name: nameIsPathSegment });
  const ref = binding.roleRef;
  if (ref) {
    if (ref.apiGroup !== undefined && ref.apiGroup !== RBAC_GROUP) {
      errs.notSupported('roleRef.apiGroup', ref.apiGroup, [RBAC_GROUP]);
    }
    if (ref.kind !== undefined)
      oneOf(errs, 'roleRef.kind', ref.kind, namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']);
    if (ref.name === '') errs.required('roleRef.name');
    else if (ref.name !== undefined)
      eachInvalid(errs, 'roleRef.name', ref.name, isValidPathSegmentName(ref.name));
  }
  binding.subjects?.forEach((s, i) => {
    const at = index('subjects', i);
    if (s.name === '') errs.required(child(at, 'name'));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.name) eachInvalid(errs, child(at, 'name'), s.name, isDNS1123Subdomain(s.name));
        if (s.apiGroup) errs.notSupported(child(at, 'apiGroup'), s.apiGroup, ['']);
        if (!namespaced && !s.namespace) errs.required(child(at, 'namespace'));
        break;
      case 'User':
      case 'Group':
        // An absent apiGroup is defaulted to the RBAC group before the object is stored.
        if (s.apiGroup !== undefined && s.apiGroup !== RBAC_GROUP) {
          errs.notSupported(child(at, 'apiGroup'), s.apiGroup, [RBAC_GROUP]);
        }
        break;
      case undefined:
        break;
      default:
        errs.notSupported(child(at, 'kind'), s.kind, ['ServiceAccount', 'User', 'Group']);
    }
  });
}
