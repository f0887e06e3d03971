import type { KubeObject, Role, RoleBinding } from '../api/types.js';
import type { RbacSource } from './auth/index.js';
import type { EtcdStorage, StorageWatch } from './storage/etcd-storage.js';

const PREFIXES = [
  '/registry/roles/',
  '/registry/rolebindings/',
  '/registry/clusterroles/',
  '/registry/clusterrolebindings/',
];
const RESYNC_DELAY_MS = 250;

/**
 * The RBAC objects held in memory and kept current by an etcd watch, so authorizing a request
 * costs no etcd round trip. Until the first list completes, and while the watch is re-establishing
 * after losing etcd, reads fall through to etcd itself.
 */
export class RbacCache implements RbacSource {
  private readonly objects = new Map<string, KubeObject>();
  private synced = false;
  private readonly watches: StorageWatch[] = [];
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(private readonly storage: EtcdStorage) {}

  /** Starts syncing in the background; never rejects. */
  start(): void {
    void this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await Promise.all(this.watches.splice(0).map((w) => w.stop()));
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    try {
      await Promise.all(this.watches.splice(0).map((w) => w.stop()));
      const pages = await Promise.all(PREFIXES.map((p) => this.storage.list(p)));
      this.objects.clear();
      for (const page of pages) for (const obj of page.items) this.objects.set(keyOf(obj), obj);
      for (const [i, prefix] of PREFIXES.entries()) {
        this.watches.push(
          await this.storage.watch(prefix, pages[i]!.revision, {
            onEvent: (ev) => {
              if (ev.type === 'DELETED') this.objects.delete(ev.key);
              else this.objects.set(ev.key, ev.object);
            },
            onEnd: () => this.resync(),
          }),
        );
      }
      this.synced = true;
    } catch {
      this.resync();
    }
  }

  private resync(): void {
    this.synced = false;
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.sync();
    }, RESYNC_DELAY_MS);
  }

  async listClusterRoleBindings(): Promise<RoleBinding[]> {
    return (await this.read('/registry/clusterrolebindings/')) as RoleBinding[];
  }

  async listRoleBindings(namespace: string): Promise<RoleBinding[]> {
    return (await this.read(`/registry/rolebindings/${namespace}/`)) as RoleBinding[];
  }

  async getClusterRole(name: string): Promise<Role | undefined> {
    return (await this.read(`/registry/clusterroles/${name}`, true))[0] as Role | undefined;
  }

  async getRole(namespace: string, name: string): Promise<Role | undefined> {
    return (await this.read(`/registry/roles/${namespace}/${name}`, true))[0] as Role | undefined;
  }

  private async read(prefixOrKey: string, exact = false): Promise<KubeObject[]> {
    if (!this.synced) {
      if (exact) {
        const one = await this.storage.get(prefixOrKey);
        return one ? [one] : [];
      }
      return (await this.storage.list(prefixOrKey)).items;
    }
    if (exact) {
      const one = this.objects.get(prefixOrKey);
      return one ? [one] : [];
    }
    return [...this.objects.entries()].filter(([k]) => k.startsWith(prefixOrKey)).map(([, v]) => v);
  }
}

function keyOf(obj: KubeObject): string {
  const resource = `${obj.kind.toLowerCase()}s`;
  return obj.metadata.namespace
    ? `/registry/${resource}/${obj.metadata.namespace}/${obj.metadata.name}`
    : `/registry/${resource}/${obj.metadata.name}`;
}
