import { findResource } from '../api/resources.js';
import type { Role, RoleBinding } from '../api/types.js';
import type { RbacSource } from './auth/index.js';
import type { CachedObjects, Cachers } from './cacher/index.js';
import type { EtcdStorage } from './storage/etcd-storage.js';

const RBAC = 'rbac.authorization.k8s.io';

/**
 * The RBAC objects as the watch cache holds them, so authorizing a request costs no etcd round
 * trip. A cache not (yet, or no longer) ready falls through to etcd.
 */
export class RbacCache implements RbacSource {
  private readonly roles: CachedObjects;
  private readonly roleBindings: CachedObjects;
  private readonly clusterRoles: CachedObjects;
  private readonly clusterRoleBindings: CachedObjects;

  constructor(
    cachers: Cachers,
    private readonly storage: EtcdStorage,
  ) {
    const cached = (resource: string) => cachers.for(findResource(RBAC, 'v1', resource)!);
    this.roles = cached('roles');
    this.roleBindings = cached('rolebindings');
    this.clusterRoles = cached('clusterroles');
    this.clusterRoleBindings = cached('clusterrolebindings');
  }

  async listClusterRoleBindings(): Promise<RoleBinding[]> {
    return (await this.list(this.clusterRoleBindings, this.clusterRoleBindings.prefix)) as RoleBinding[];
  }

  async listRoleBindings(namespace: string): Promise<RoleBinding[]> {
    return (await this.list(this.roleBindings, `${this.roleBindings.prefix}${namespace}/`)) as RoleBinding[];
  }

  async getClusterRole(name: string): Promise<Role | undefined> {
    return (await this.get(this.clusterRoles, `${this.clusterRoles.prefix}${name}`)) as Role | undefined;
  }

  async getRole(namespace: string, name: string): Promise<Role | undefined> {
    return (await this.get(this.roles, `${this.roles.prefix}${namespace}/${name}`)) as Role | undefined;
  }

  private async list(cache: CachedObjects, keyPrefix: string) {
    return cache.ready ? cache.list(keyPrefix) : (await this.storage.list(keyPrefix)).items;
  }

  private async get(cache: CachedObjects, key: string) {
    return cache.ready ? cache.get(key) : this.storage.get(key);
  }
}
