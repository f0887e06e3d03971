import { isDeepStrictEqual } from 'node:util';
import { listAll, type ReconcileLoop, objectKey, type Informer } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { RESOURCES, findKind, type ResourceType } from '../api/resources.js';
import type { KubeObject, OwnerReference } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';

/** The finalizer of an owner whose dependents are deleted before it (propagationPolicy Foreground). */
export const FOREGROUND_DELETION_FINALIZER = 'foregroundDeletion';
/** The finalizer of an owner whose dependents are kept and released (propagationPolicy Orphan). */
export const ORPHAN_FINALIZER = 'orphan';
/** Owners known to be gone, remembered so that their many dependents cost one GET, as Kubernetes' absentOwnerCache. */
const ABSENT_OWNER_CACHE_SIZE = 1024;
/** When a live list finds blocking dependents the caches do not hold yet, the owner is looked at again after this. */
const LAGGING_CACHE_RETRY_MS = 200;
const LIST_PAGE_SIZE = 500;
/** Dependents patched at once when an owner is orphaning them. */
const PATCH_BATCH = 50;

/**
 * How a dependent's owner reference resolves: `solid` (the owner exists and is not deleting its
 * dependents first), `waiting` (it exists with the foregroundDeletion finalizer), `dangling` (no
 * object of that kind, name and uid where the reference can point) or `unresolvable` (a kind
 * not served, or a namespaced kind named by a cluster-scoped dependent: never grounds to delete).
 */
type OwnerState = 'solid' | 'waiting' | 'dangling' | 'unresolvable';

interface ResolvedOwner {
  ref: OwnerReference;
  state: OwnerState;
}

/** An object with the reference by which it depends on some owner. */
interface Dependent {
  resource: ResourceType;
  obj: KubeObject;
  ref: OwnerReference;
}

/**
 * Kubernetes' garbage collector over every served resource, driven by the shared informers and
 * their `owner` index:
 * - background: a dependent none of whose owners exists any more (checked live before acting,
 *   since caches lag; an object of the same name but another uid is not its owner) is deleted
 *   with Background propagation; one that keeps an owner only loses its dangling references;
 * - foreground: an owner marked for deletion with the `foregroundDeletion` finalizer has its
 *   dependents deleted (those with dependents of their own in Foreground, so it recurses), and
 *   loses the finalizer once no dependent whose reference has blockOwnerDeletion remains;
 * - orphan: an owner with the `orphan` finalizer has its references removed from every
 *   dependent, then loses the finalizer.
 * A namespaced owner reference resolves in the dependent's namespace; one on a cluster-scoped
 * dependent is invalid, reported as an OwnerRefInvalidNamespace event and otherwise ignored.
 */
export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  private readonly loop: ReconcileLoop;
  private readonly informers = new Map<ResourceType, Informer>();
  private readonly byId = new Map<string, ResourceType>();
  /** `namespace|uid` of owners confirmed gone, oldest first. */
  private readonly absentOwners = new Set<string>();

  constructor(private readonly ctx: ControllerContext) {
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    for (const r of RESOURCES) {
      const informer = ctx.informers.informer(r);
      this.informers.set(r, informer);
      this.byId.set(resourceId(r), r);
      informer.addHandlers({
        add: (obj) => this.onChange(r, undefined, obj),
        update: (old, obj) => this.onChange(r, old, obj),
        delete: (obj) => this.onDelete(r, obj),
      });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private enqueue(r: ResourceType, obj: KubeObject): void {
    this.loop.enqueue(`${resourceId(r)}|${objectKey(obj)}`);
  }

  private onChange(r: ResourceType, old: KubeObject | undefined, obj: KubeObject): void {
    const refsChanged = !isDeepStrictEqual(old?.metadata.ownerReferences, obj.metadata.ownerReferences);
    const relevant =
      !old ||
      old === obj ||
      refsChanged ||
      old.metadata.deletionTimestamp !== obj.metadata.deletionTimestamp ||
      !isDeepStrictEqual(old.metadata.finalizers, obj.metadata.finalizers);
    if (!relevant) return;
    if (obj.metadata.ownerReferences?.length || hasGcFinalizer(obj)) this.enqueue(r, obj);
    // An owner waiting for its dependents may have been waiting for this one to let go.
    if (old && refsChanged) this.enqueueWaitingOwners(r, old);
  }

  private onDelete(r: ResourceType, obj: KubeObject): void {
    this.rememberAbsent(r.namespaced ? (obj.metadata.namespace ?? '') : '', obj.metadata.uid!);
    for (const d of this.cachedDependents(r, obj)) this.enqueue(d.resource, d.obj);
    this.enqueueWaitingOwners(r, obj);
  }

  private enqueueWaitingOwners(r: ResourceType, dependent: KubeObject): void {
    for (const ref of dependent.metadata.ownerReferences ?? []) {
      const owner = this.cachedOwner(r, dependent, ref);
      if (owner && isWaitingForDependents(owner.obj)) this.enqueue(owner.resource, owner.obj);
    }
  }

  private async reconcile(key: string): Promise<void> {
    const bar = key.indexOf('|');
    const r = this.byId.get(key.slice(0, bar));
    const obj = r && this.informers.get(r)!.get(key.slice(bar + 1));
    if (!r || !obj) return;
    if (obj.metadata.deletionTimestamp) {
      const finalizers = obj.metadata.finalizers ?? [];
      if (finalizers.includes(ORPHAN_FINALIZER)) return this.orphanDependents(r, obj);
      if (finalizers.includes(FOREGROUND_DELETION_FINALIZER)) return this.deleteDependentsFirst(r, obj);
      return;
    }
    if (obj.metadata.ownerReferences?.length) await this.collectIfOwnerless(r, obj);
  }

  /** Kubernetes' attemptToDeleteItem for an object not being deleted. */
  private async collectIfOwnerless(r: ResourceType, cached: KubeObject): Promise<void> {
    const fromCache = await this.resolveOwners(r, cached);
    if (!fromCache.some((o) => o.state === 'dangling' || o.state === 'waiting')) return;
    // Act on what the object says now: the cache may hold references it no longer has.
    const { namespace = '', name = '', uid } = cached.metadata;
    const obj = await this.ctx.client.tryGet(r, namespace, name);
    if (!obj || obj.metadata.uid !== uid || obj.metadata.deletionTimestamp) return;
    const owners = await this.resolveOwners(r, obj);
    const dangling = owners.filter((o) => o.state === 'dangling');
    const waiting = owners.filter((o) => o.state === 'waiting');
    if (dangling.length === 0 && waiting.length === 0) return;
    if (owners.some((o) => o.state === 'solid' || o.state === 'unresolvable')) {
      // It stays for its other owners: drop the dangling references, and stop blocking the
      // owners that wait for their dependents, since this one will not go.
      const refs = owners
        .filter((o) => o.state !== 'dangling')
        .map((o) =>
          o.state === 'waiting' && o.ref.blockOwnerDeletion ? { ...o.ref, blockOwnerDeletion: false } : o.ref,
        );
      await this.patchOwnerReferences(r, obj, refs);
      return;
    }
    const propagationPolicy = waiting.length > 0 && this.hasDependents(obj) ? 'Foreground' : 'Background';
    try {
      await this.ctx.client.delete(r, namespace, name, {
        propagationPolicy,
        preconditions: { uid, resourceVersion: obj.metadata.resourceVersion },
      });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  /** Kubernetes' processDeletingDependentsItem: an owner in foreground deletion. */
  private async deleteDependentsFirst(r: ResourceType, owner: KubeObject): Promise<void> {
    const dependents = this.cachedDependents(r, owner);
    for (const d of dependents) if (!d.obj.metadata.deletionTimestamp) this.enqueue(d.resource, d.obj);
    // Their deletions come back here through the informers.
    if (dependents.some((d) => d.ref.blockOwnerDeletion)) return;
    // The finalizer goes for good: make sure no blocking dependent is missing from the caches.
    const live = await this.liveDependents(r, owner);
    if (live.some((d) => d.ref.blockOwnerDeletion)) {
      this.loop.queue.addAfter(`${resourceId(r)}|${objectKey(owner)}`, LAGGING_CACHE_RETRY_MS);
      return;
    }
    await this.removeFinalizer(r, owner, FOREGROUND_DELETION_FINALIZER);
  }

  /** Kubernetes' orphanDependents: releases every dependent, then lets the owner go. */
  private async orphanDependents(r: ResourceType, owner: KubeObject): Promise<void> {
    const dependents = await this.liveDependents(r, owner);
    // SABOTAGE delete-dependents-of-orphaned-owner: the dependents to keep are deleted instead.
    if (this.ctx.sabotages?.has('delete-dependents-of-orphaned-owner'))
      for (const { resource, obj } of dependents)
        await this.ctx.client
          .delete(resource, obj.metadata.namespace ?? '', obj.metadata.name!)
          .catch((e: unknown) => {
            if (!isApiError(e, 'NotFound')) throw e;
          });
    for (let i = 0; i < dependents.length; i += PATCH_BATCH) {
      await Promise.all(
        dependents.slice(i, i + PATCH_BATCH).map(({ resource, obj }) =>
          this.patchOwnerReferences(
            resource,
            obj,
            (obj.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== owner.metadata.uid),
          ),
        ),
      );
    }
    await this.removeFinalizer(r, owner, ORPHAN_FINALIZER);
  }

  /** Resolves each owner reference of `dependent`: from the cache when it holds that very owner, else live. */
  private async resolveOwners(r: ResourceType, dependent: KubeObject): Promise<ResolvedOwner[]> {
    return Promise.all(
      (dependent.metadata.ownerReferences ?? []).map(async (ref): Promise<ResolvedOwner> => {
        const ownerResource = findKind(ref.apiVersion, ref.kind);
        if (!ownerResource) return { ref, state: 'unresolvable' };
        if (ownerResource.namespaced && !r.namespaced) {
          this.ctx.recorder.event(
            dependent,
            'Warning',
            'OwnerRefInvalidNamespace',
            `ownerRef [${ref.apiVersion}/${ref.kind}, name: ${ref.name}, uid: ${ref.uid}] is namespaced and cannot own a cluster-scoped object`,
          );
          return { ref, state: 'unresolvable' };
        }
        const namespace = ownerResource.namespaced ? (dependent.metadata.namespace ?? '') : '';
        if (this.absentOwners.has(`${namespace}|${ref.uid}`)) return { ref, state: 'dangling' };
        const owner =
          this.cachedOwner(r, dependent, ref)?.obj ??
          (await this.ctx.client.tryGet(ownerResource, namespace, ref.name));
        if (owner?.metadata.uid !== ref.uid) {
          this.rememberAbsent(namespace, ref.uid);
          return { ref, state: 'dangling' };
        }
        return { ref, state: isWaitingForDependents(owner) ? 'waiting' : 'solid' };
      }),
    );
  }

  /** The owner `ref` of `dependent` points at, if the cache holds it with that uid. */
  private cachedOwner(
    r: ResourceType,
    dependent: KubeObject,
    ref: OwnerReference,
  ): { resource: ResourceType; obj: KubeObject } | undefined {
    const resource = findKind(ref.apiVersion, ref.kind);
    if (!resource || (resource.namespaced && !r.namespaced)) return undefined;
    const key = resource.namespaced ? `${dependent.metadata.namespace}/${ref.name}` : ref.name;
    const obj = this.informers.get(resource)!.get(key);
    return obj?.metadata.uid === ref.uid ? { resource, obj } : undefined;
  }

  /** Dependents of `owner` in the caches, through each informer's owner index. */
  private cachedDependents(r: ResourceType, owner: KubeObject): Dependent[] {
    const found: Dependent[] = [];
    for (const [resource, informer] of this.informers) {
      for (const obj of informer.byIndex('owner', owner.metadata.uid!)) {
        const ref = referenceTo(resource, obj, r, owner);
        if (ref) found.push({ resource, obj, ref });
      }
    }
    return found;
  }

  /**
   * Dependents of `owner` as the apiserver has them now: a namespaced owner's are in its
   * namespace, a cluster-scoped owner's anywhere.
   */
  private async liveDependents(r: ResourceType, owner: KubeObject): Promise<Dependent[]> {
    const namespace = r.namespaced ? (owner.metadata.namespace ?? '') : '';
    const candidates = RESOURCES.filter((c) => c.namespaced || !r.namespaced);
    const lists = await Promise.all(
      candidates.map((c) => listAll(this.ctx.client, c, { namespace, limit: LIST_PAGE_SIZE })),
    );
    const found: Dependent[] = [];
    lists.forEach(({ items }, i) => {
      const resource = candidates[i]!;
      for (const obj of items) {
        const ref = referenceTo(resource, obj, r, owner);
        if (ref) found.push({ resource, obj, ref });
      }
    });
    return found;
  }

  private hasDependents(obj: KubeObject): boolean {
    return [...this.informers.values()].some((i) => i.byIndex('owner', obj.metadata.uid!).length > 0);
  }

  /** Sets the owner references of `obj`, pinned to the version they were computed from. */
  private async patchOwnerReferences(
    r: ResourceType,
    obj: KubeObject,
    refs: OwnerReference[],
  ): Promise<void> {
    if (isDeepStrictEqual(refs, obj.metadata.ownerReferences ?? [])) return;
    try {
      await this.ctx.client.patch(r, obj.metadata.namespace ?? '', obj.metadata.name!, {
        metadata: {
          ownerReferences: refs.length ? refs : null,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
        },
      });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  /** Removes `finalizer` from the live `obj`; with none left, the apiserver deletes it. */
  private async removeFinalizer(r: ResourceType, cached: KubeObject, finalizer: string): Promise<void> {
    const { namespace = '', name = '', uid } = cached.metadata;
    const obj = await this.ctx.client.tryGet(r, namespace, name);
    if (!obj || obj.metadata.uid !== uid || !obj.metadata.finalizers?.includes(finalizer)) return;
    const finalizers = obj.metadata.finalizers.filter((f) => f !== finalizer);
    try {
      await this.ctx.client.patch(r, namespace, name, {
        metadata: {
          finalizers: finalizers.length ? finalizers : null,
          uid,
          resourceVersion: obj.metadata.resourceVersion,
        },
      });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  private rememberAbsent(namespace: string, uid: string): void {
    const key = `${namespace}|${uid}`;
    this.absentOwners.delete(key);
    this.absentOwners.add(key);
    if (this.absentOwners.size > ABSENT_OWNER_CACHE_SIZE) {
      this.absentOwners.delete(this.absentOwners.values().next().value!);
    }
  }
}

function resourceId(r: ResourceType): string {
  return `${r.group}/${r.resource}`;
}

function hasGcFinalizer(obj: KubeObject): boolean {
  const finalizers = obj.metadata.finalizers ?? [];
  return finalizers.includes(ORPHAN_FINALIZER) || finalizers.includes(FOREGROUND_DELETION_FINALIZER);
}

function isWaitingForDependents(obj: KubeObject): boolean {
  return (
    Boolean(obj.metadata.deletionTimestamp) &&
    (obj.metadata.finalizers ?? []).includes(FOREGROUND_DELETION_FINALIZER)
  );
}

/**
 * The reference by which `dependent` (of resource `r`) is owned by `owner`, if it has one that
 * resolves to it: same kind, name and uid, and for a namespaced owner a dependent in its namespace.
 */
export function referenceTo(
  r: ResourceType,
  dependent: KubeObject,
  ownerResource: ResourceType,
  owner: KubeObject,
): OwnerReference | undefined {
  if (
    ownerResource.namespaced &&
    (!r.namespaced || dependent.metadata.namespace !== owner.metadata.namespace)
  ) {
    return undefined;
  }
  return dependent.metadata.ownerReferences?.find(
    (ref) =>
      ref.uid === owner.metadata.uid &&
      ref.name === owner.metadata.name &&
      findKind(ref.apiVersion, ref.kind) === ownerResource,
  );
}
