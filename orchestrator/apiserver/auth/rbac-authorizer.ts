/**
 * RBAC authorization (`--authorization-mode=RBAC`), with the semantics of Kubernetes'
 * plugin/pkg/auth/authorizer/rbac and its rule resolver, plus kube-apiserver's `system:masters`
 * superuser group.
 */
import type { PolicyRule, Role, RoleBinding, Subject } from '../../api/types.js';
import { goQuote, goQuoteList } from './go-quote.js';
import type { AuthorizationDecision, Authorizer } from './authorizer.js';
import type { RequestAttributes } from './request-attributes.js';
import { ruleAllows } from './rule-allows.js';
import { SYSTEM_MASTERS, serviceAccountUsername, type UserInfo } from './user-info.js';

export { forbiddenMessage } from './forbidden-message.js';

/**
 * Where the authorizer reads RBAC objects, typically the apiserver's cache. `getRole` and
 * `getClusterRole` resolve to `undefined` when the object does not exist. A method may reject; the
 * authorizer then carries on with what it could read, since rules only ever add permissions.
 */
export interface RbacSource {
  listClusterRoleBindings(): Promise<RoleBinding[]>;
  listRoleBindings(namespace: string): Promise<RoleBinding[]>;
  getClusterRole(name: string): Promise<Role | undefined>;
  getRole(namespace: string, name: string): Promise<Role | undefined>;
}

/**
 * Decides requests from ClusterRoleBindings (which grant everywhere, cluster scope included) and the
 * RoleBindings of the request's namespace (which grant only there, also when they reference a
 * ClusterRole). Subjects match a User by name, a Group by membership and a ServiceAccount as user
 * `system:serviceaccount:<namespace>:<name>`. Members of `system:masters` are always allowed.
 */
export class RbacAuthorizer implements Authorizer {
  constructor(private readonly source: RbacSource) {}

  /**
   * Resolves to the decision; never rejects — failures to read RBAC objects deny with a reason.
   * `forbiddenReason` is set only when RBAC objects could not be resolved (a missing role, a failing
   * source).
   */
  async authorize(attrs: RequestAttributes): Promise<AuthorizationDecision> {
    if (attrs.user.groups.includes(SYSTEM_MASTERS)) {
      return {
        allowed: true,
        reason: `allowed by membership in the superuser group ${goQuote(SYSTEM_MASTERS)}`,
      };
    }
    const errors: string[] = [];

    const clusterBindings = await this.attempt(() => this.source.listClusterRoleBindings(), errors);
    for (const binding of clusterBindings ?? []) {
      const subject = firstApplyingSubject(attrs.user, binding.subjects, '');
      if (!subject) continue;
      const rules = await this.rulesOf(binding, '', errors);
      if (rules?.some((rule) => ruleAllows(attrs, rule))) {
        return { allowed: true, reason: `RBAC: allowed by ${describeClusterBinding(binding, subject)}` };
      }
    }

    if (attrs.namespace) {
      const bindings = await this.attempt(() => this.source.listRoleBindings(attrs.namespace), errors);
      for (const binding of bindings ?? []) {
        const subject = firstApplyingSubject(attrs.user, binding.subjects, attrs.namespace);
        if (!subject) continue;
        const rules = await this.rulesOf(binding, attrs.namespace, errors);
        if (rules?.some((rule) => ruleAllows(attrs, rule))) {
          return {
            allowed: true,
            reason: `RBAC: allowed by ${describeBinding(binding, subject, attrs.namespace)}`,
          };
        }
      }
    }

    const denied = `RBAC: no rules authorize user ${goQuote(attrs.user.username)} with groups ${goQuoteList(attrs.user.groups)} to ${describeOperation(attrs)}`;
    if (errors.length === 0) return { allowed: false, reason: denied };
    // kube-apiserver's RBAC gives a reason only when it could not evaluate every binding.
    const forbiddenReason = `RBAC: ${aggregate(errors)}`;
    return { allowed: false, reason: `${denied}; ${forbiddenReason}`, forbiddenReason };
  }

  /** The rules a binding grants, or undefined (with the error recorded) when its role cannot be had. */
  private async rulesOf(
    binding: RoleBinding,
    bindingNamespace: string,
    errors: string[],
  ): Promise<PolicyRule[] | undefined> {
    const ref = binding.roleRef;
    switch (ref.kind) {
      case 'ClusterRole': {
        const role = await this.attempt(() => this.source.getClusterRole(ref.name), errors);
        if (role === null) return undefined;
        if (!role) return notFound(errors, 'clusterrole', ref.name);
        return role.rules ?? [];
      }
      case 'Role': {
        // A ClusterRoleBinding cannot reference a Role; Kubernetes' lister reports it as not found.
        if (!bindingNamespace) return notFound(errors, 'role', ref.name);
        const role = await this.attempt(() => this.source.getRole(bindingNamespace, ref.name), errors);
        if (role === null) return undefined;
        if (!role) return notFound(errors, 'role', ref.name);
        return role.rules ?? [];
      }
      default:
        errors.push(`unsupported role reference kind: ${goQuote(String((ref as { kind: unknown }).kind))}`);
        return undefined;
    }
  }

  /** Runs a source call; on rejection records the error and resolves to null. */
  private async attempt<T>(call: () => Promise<T>, errors: string[]): Promise<T | null> {
    try {
      return await call();
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
      return null;
    }
  }
}

function notFound(errors: string[], resource: string, name: string): undefined {
  errors.push(`${resource}.rbac.authorization.k8s.io ${goQuote(name)} not found`);
  return undefined;
}

/** Kubernetes' error aggregate: one message alone, several bracketed, duplicates dropped. */
function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

function firstApplyingSubject(
  user: UserInfo,
  subjects: Subject[] | undefined,
  namespace: string,
): Subject | undefined {
  return (subjects ?? []).find((s) => appliesTo(user, s, namespace));
}

function appliesTo(user: UserInfo, subject: Subject, namespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      // In a RoleBinding a ServiceAccount subject without namespace means one in the binding's own.
      const saNamespace = subject.namespace || namespace;
      return saNamespace !== '' && user.username === serviceAccountUsername(saNamespace, subject.name);
    }
    default:
      return false;
  }
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `${subject.kind} ${goQuote(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  }
  return `${subject.kind} ${goQuote(subject.name)}`;
}

function describeClusterBinding(binding: RoleBinding, subject: Subject): string {
  const { kind, name } = binding.roleRef;
  return `ClusterRoleBinding ${goQuote(binding.metadata.name ?? '')} of ${kind} ${goQuote(name)} to ${describeSubject(subject, '')}`;
}

function describeBinding(binding: RoleBinding, subject: Subject, namespace: string): string {
  const { kind, name } = binding.roleRef;
  const bindingNamespace = binding.metadata.namespace || namespace;
  return `RoleBinding ${goQuote(`${binding.metadata.name ?? ''}/${bindingNamespace}`)} of ${kind} ${goQuote(name)} to ${describeSubject(subject, bindingNamespace)}`;
}

function describeOperation(attrs: RequestAttributes): string {
  const scope = attrs.namespace ? `in namespace ${goQuote(attrs.namespace)}` : 'cluster-wide';
  if (!attrs.resourceRequest) return `${goQuote(attrs.verb)} nonResourceURL ${goQuote(attrs.path)} ${scope}`;
  let resource = attrs.resource;
  if (attrs.apiGroup) resource += `.${attrs.apiGroup}`;
  if (attrs.subresource) resource += `/${attrs.subresource}`;
  const named = attrs.name ? ` named ${goQuote(attrs.name)}` : '';
  return `${goQuote(attrs.verb)} resource ${goQuote(resource)}${named} ${scope}`;
}
