import type { Role, RoleBinding } from '../api/types.js';
import type { RbacSource } from './auth/index.js';
import type { EtcdStorage } from './storage/etcd-storage.js';
import { PrefixCache } from './storage/prefix-cache.js';

/**
 * The RBAC objects held in memory, so authorizing a request costs no etcd round trip. A cache
 * not (yet, or no longer) in sync falls through to etcd.
 */
export class RbacCache implements RbacSource {
  private readonly roles: PrefixCache;
  private readonly roleBindings: PrefixCache;
  private readonly clusterRoles: PrefixCache;
  private readonly clusterRoleBindings: PrefixCache;

  constructor(private readonly storage: EtcdStorage) {
    this.roles = new PrefixCache(storage, '/registry/roles/');
    this.roleBindings = new PrefixCache(storage, '/registry/rolebindings/');
    this.clusterRoles = new PrefixCache(storage, '/registry/clusterroles/');
    this.clusterRoleBindings = new PrefixCache(storage, '/registry/clusterrolebindings/');
  }

  private get all(): PrefixCache[] {
    return [this.roles, this.roleBindings, this.clusterRoles, this.clusterRoleBindings];
  }

  start(): void {
    this.all.forEach((c) => c.start());
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((c) => c.stop()));
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

  private async list(cache: PrefixCache, keyPrefix: string) {
    return cache.synced ? cache.list(keyPrefix) : (await this.storage.list(keyPrefix)).items;
  }

  private async get(cache: PrefixCache, key: string) {
    return cache.synced ? cache.get(key) : this.storage.get(key);
  }
}
