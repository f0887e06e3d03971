import type { Role, RoleBinding } from '../../api/types.js';
import type { RbacSource } from './rbac-authorizer.js';

/** The RBAC objects a `StaticRbacSource` serves; namespaced ones carry `metadata.namespace`. */
export interface RbacObjects {
  clusterRoles?: Role[];
  clusterRoleBindings?: RoleBinding[];
  roles?: Role[];
  roleBindings?: RoleBinding[];
}

/**
 * An `RbacSource` over fixed arrays of objects, like Kubernetes' `StaticRoles`: for tests, and for
 * evaluating a policy (such as the bootstrap policy) without a store.
 */
export class StaticRbacSource implements RbacSource {
  constructor(private readonly objects: RbacObjects) {}

  async listClusterRoleBindings(): Promise<RoleBinding[]> {
    return [...(this.objects.clusterRoleBindings ?? [])];
  }

  async listRoleBindings(namespace: string): Promise<RoleBinding[]> {
    return (this.objects.roleBindings ?? []).filter((b) => b.metadata.namespace === namespace);
  }

  async getClusterRole(name: string): Promise<Role | undefined> {
    return (this.objects.clusterRoles ?? []).find((r) => r.metadata.name === name);
  }

  async getRole(namespace: string, name: string): Promise<Role | undefined> {
    return (this.objects.roles ?? []).find(
      (r) => r.metadata.namespace === namespace && r.metadata.name === name,
    );
  }
}
