import { randomUUID, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { errors, isApiError } from '../api/errors.js';
import { formatTime, type Clock } from '../api/clock.js';
import type { ResourceType } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import type { EtcdStorage, ListPage } from './storage/etcd-storage.js';
import { prepareForCreate, prepareForUpdate, validateUpdate } from './strategies.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  /** True when the key is gone; false when deletion is pending on finalizers or a grace period. */
  deleted: boolean;
  object: KubeObject;
}

/** Called with the live object; returns the desired object, or the same object for "no change". */
export type UpdateFn = (live: KubeObject) => KubeObject | Promise<KubeObject>;

const MAX_UPDATE_ATTEMPTS = 16;

/**
 * Kubernetes' generic registry over etcd: object identity (uid, timestamps, generation),
 * optimistic concurrency, guaranteed updates, graceful deletion and finalizers. Knows nothing
 * of HTTP.
 */
export class ObjectStore {
  constructor(
    private readonly storage: EtcdStorage,
    private readonly clock: Clock,
    /** The last known state of objects (the watch cache), offered to writes as a guess. */
    private readonly hints?: { guess(r: ResourceType, key: string): KubeObject | undefined },
  ) {}

  /**
   * The object to start a write from: the cached guess on a first attempt, etcd after a
   * conflict. `guessed` says which: a guess may be stale, so nothing but a successful
   * compare-and-swap may be concluded from it.
   */
  private async current(
    r: ResourceType,
    namespace: string,
    name: string,
    attempt: number,
  ): Promise<{ live: KubeObject; guessed: boolean }> {
    const guess = attempt === 1 ? this.hints?.guess(r, this.key(r, namespace, name)) : undefined;
    return guess
      ? { live: guess, guessed: true }
      : { live: await this.get(r, namespace, name), guessed: false };
  }

  key(r: ResourceType, namespace: string, name: string): string {
    return r.namespaced ? `/registry/${r.resource}/${namespace}/${name}` : `/registry/${r.resource}/${name}`;
  }

  /** Prefix of every key of `r` (in `namespace` when given). Ends with '/', so `a` never matches `ab`. */
  prefix(r: ResourceType, namespace = ''): string {
    return r.namespaced && namespace ? `/registry/${r.resource}/${namespace}/` : `/registry/${r.resource}/`;
  }

  async get(r: ResourceType, namespace: string, name: string): Promise<KubeObject> {
    const found = await this.storage.get(this.key(r, namespace, name));
    if (!found) throw errors.notFound(r.resource, r.group, name);
    return found;
  }

  async tryGet(r: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.storage.get(this.key(r, namespace, name));
  }

  list(
    r: ResourceType,
    namespace: string,
    opts: { limit?: number; startKey?: string; revision?: number } = {},
  ): Promise<ListPage> {
    return this.storage.list(this.prefix(r, namespace), opts);
  }

  /** Stores a new object, filling in identity; `generateName` gets a random suffix, retried on collision. */
  async create(r: ResourceType, input: KubeObject, signal?: AbortSignal): Promise<KubeObject> {
    const generate = !input.metadata.name && input.metadata.generateName;
    for (let attempt = 0; ; attempt++) {
      const name = generate ? `${input.metadata.generateName}${randomSuffix()}` : input.metadata.name!;
      const obj = this.withIdentity(r, input, name);
      try {
        stillWanted(signal);
        return await this.storage.create(
          this.key(r, obj.metadata.namespace ?? '', name),
          obj,
          describe(r, name),
        );
      } catch (e) {
        if (!(generate && isApiError(e, 'AlreadyExists') && attempt < 8)) throw e;
      }
    }
  }

  /** The object as a create would store it, without storing it (dry run). */
  withIdentity(r: ResourceType, input: KubeObject, name = input.metadata.name ?? ''): KubeObject {
    const metadata = { ...input.metadata, name };
    delete metadata.resourceVersion;
    delete metadata.deletionTimestamp;
    delete metadata.deletionGracePeriodSeconds;
    if (!r.namespaced) delete metadata.namespace;
    return prepareForCreate({
      ...input,
      metadata: {
        ...metadata,
        uid: randomUUID(),
        creationTimestamp: formatTime(this.clock.now()),
        generation: 1,
      },
    });
  }

  /**
   * Kubernetes' GuaranteedUpdate: read, let `update` compute the desired object, compare-and-swap
   * on the read resourceVersion, and retry on Conflict. A caller that pinned a resourceVersion
   * (a PUT carrying one) gets Conflict instead of a retry when the object moved on; so does an
   * update whose result names another resourceVersion than the one it read (a patch that sets
   * it). A no-op update writes nothing. An object marked for deletion whose finalizers are now
   * empty is deleted. `update` may throw to refuse; a refusal of the cached guess is judged again
   * on the object read from etcd.
   */
  async update(
    r: ResourceType,
    namespace: string,
    name: string,
    subresource: string,
    update: UpdateFn,
    pinnedResourceVersion?: string,
    signal?: AbortSignal,
  ): Promise<KubeObject> {
    const stale = () =>
      errors.conflict(
        r.resource,
        r.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    for (let attempt = 1; ; attempt++) {
      const { live, guessed } = await this.current(r, namespace, name, attempt);
      if (pinnedResourceVersion && pinnedResourceVersion !== live.metadata.resourceVersion) {
        // The guess may be older than the client's version: only etcd can say the client is stale.
        if (guessed && Number(pinnedResourceVersion) > Number(live.metadata.resourceVersion)) continue;
        throw stale();
      }
      let requested: KubeObject;
      try {
        requested = await update(live);
      } catch (e) {
        // A refusal judged on a guess proves nothing (an eviction finding a budget's status from
        // before its last write): judge it again on what etcd holds.
        if (guessed) continue;
        throw e;
      }
      if (
        requested.metadata.resourceVersion &&
        requested.metadata.resourceVersion !== live.metadata.resourceVersion
      )
        throw stale();
      const ctx = { resource: r, subresource };
      validateUpdate(ctx, requested, live);
      const next = this.keepIdentity(prepareForUpdate(ctx, requested, live), live);
      if (isDeepStrictEqual(next, live)) {
        // Nothing to write against a guess proves nothing about etcd: look there first.
        if (guessed) continue;
        return live;
      }
      try {
        stillWanted(signal);
        if (readyToDelete(next)) {
          return await this.storage.delete(
            this.key(r, namespace, name),
            Number(live.metadata.resourceVersion),
            describe(r, name),
          );
        }
        return await this.storage.update(
          this.key(r, namespace, name),
          next,
          Number(live.metadata.resourceVersion),
          describe(r, name),
        );
      } catch (e) {
        if (!(isApiError(e, 'Conflict') && !pinnedResourceVersion && attempt < MAX_UPDATE_ATTEMPTS)) throw e;
      }
    }
  }

  private keepIdentity(next: KubeObject, live: KubeObject): KubeObject {
    const metadata = {
      ...next.metadata,
      name: live.metadata.name,
      namespace: live.metadata.namespace,
      uid: live.metadata.uid,
      creationTimestamp: live.metadata.creationTimestamp,
      resourceVersion: live.metadata.resourceVersion,
      generation: live.metadata.generation,
      deletionTimestamp: live.metadata.deletionTimestamp ?? next.metadata.deletionTimestamp,
      deletionGracePeriodSeconds:
        live.metadata.deletionGracePeriodSeconds ?? next.metadata.deletionGracePeriodSeconds,
    };
    for (const k of ['namespace', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
      if (metadata[k] === undefined) delete metadata[k];
    }
    if (!isDeepStrictEqual(next.spec, live.spec)) metadata.generation = (live.metadata.generation ?? 0) + 1;
    return { ...next, metadata };
  }

  /**
   * Deletes at once, or marks for deletion when finalizers, a propagation policy that needs the
   * garbage collector, or a pod's grace period say so. `admit`, when given, sees the object about
   * to be deleted and throws to refuse (admission of a delete judges the live object).
   */
  async delete(
    r: ResourceType,
    namespace: string,
    name: string,
    opts: DeleteOptions = {},
    signal?: AbortSignal,
    admit?: (live: KubeObject) => void,
  ): Promise<DeleteResult> {
    for (let attempt = 1; ; attempt++) {
      const { live, guessed } = await this.current(r, namespace, name, attempt);
      // A precondition failing against a guess proves nothing: check it against etcd.
      if (guessed && (opts.preconditions?.resourceVersion || opts.preconditions?.uid)) {
        const pre = opts.preconditions;
        if (
          (pre.resourceVersion && pre.resourceVersion !== live.metadata.resourceVersion) ||
          (pre.uid && pre.uid !== live.metadata.uid)
        )
          continue;
      }
      checkPreconditions(r, name, live, opts);
      if (admit) {
        try {
          admit(live);
        } catch (e) {
          // A refusal on a guess proves nothing either.
          if (guessed) continue;
          throw e;
        }
      }
      const marked = this.markForDeletion(live, opts);
      const key = this.key(r, namespace, name);
      try {
        stillWanted(signal);
        if (!marked) {
          return {
            deleted: true,
            object: await this.storage.delete(key, Number(live.metadata.resourceVersion), describe(r, name)),
          };
        }
        if (isDeepStrictEqual(marked, live)) {
          if (guessed) continue;
          return { deleted: false, object: live };
        }
        return {
          deleted: false,
          object: await this.storage.update(
            key,
            marked,
            Number(live.metadata.resourceVersion),
            describe(r, name),
          ),
        };
      } catch (e) {
        if (!(isApiError(e, 'Conflict') && attempt < MAX_UPDATE_ATTEMPTS)) throw e;
      }
    }
  }

  /** The object as marked for graceful deletion, or undefined when it can go at once. */
  private markForDeletion(live: KubeObject, opts: DeleteOptions): KubeObject | undefined {
    const meta = live.metadata;
    const finalizers = [...(meta.finalizers ?? [])];
    if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion'))
      finalizers.push('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    const graceSeconds = podGracePeriod(live, opts);
    const namespaceFinalizing = live.kind === 'Namespace' && pendingNamespaceFinalizers(live);
    if (finalizers.length === 0 && graceSeconds === 0 && !namespaceFinalizing) return undefined;
    if (meta.deletionTimestamp) {
      // Already terminating: a shorter grace period may still shorten it, nothing else changes.
      if (graceSeconds < (meta.deletionGracePeriodSeconds ?? Infinity)) {
        if (graceSeconds === 0 && finalizers.length === 0) return undefined;
        return { ...live, metadata: { ...meta, deletionGracePeriodSeconds: graceSeconds } };
      }
      return live;
    }
    const now = this.clock.now();
    const marked: KubeObject = {
      ...live,
      metadata: {
        ...meta,
        finalizers: finalizers.length ? finalizers : undefined,
        deletionTimestamp: formatTime(new Date(now.getTime() + graceSeconds * 1000)),
        deletionGracePeriodSeconds: graceSeconds,
        generation: (meta.generation ?? 0) + 1,
      },
    };
    if (!marked.metadata.finalizers) delete marked.metadata.finalizers;
    if (live.kind === 'Namespace') marked.status = { ...(live.status as object), phase: 'Terminating' };
    return marked;
  }
}

/**
 * A write whose client has gone is not carried out, as kube-apiserver cancels a request's
 * context when its client disconnects: a controller that crashed must not go on acting
 * through requests still queued here after its successor took over.
 */
function stillWanted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw errors.timeout('the client closed the connection; the request was not carried out');
}

function describe(r: ResourceType, name: string) {
  return { resource: r.resource, group: r.group, name };
}

function checkPreconditions(r: ResourceType, name: string, live: KubeObject, opts: DeleteOptions): void {
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== live.metadata.uid) {
    throw errors.conflict(
      r.resource,
      r.group,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${live.metadata.uid}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== live.metadata.resourceVersion) {
    throw errors.conflict(
      r.resource,
      r.group,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion}`,
    );
  }
}

/**
 * A pod that a kubelet may be running is deleted gracefully: the kubelet stops it and then
 * deletes it with grace 0. An unbound or finished pod goes at once.
 */
function podGracePeriod(live: KubeObject, opts: DeleteOptions): number {
  if (live.kind !== 'Pod') return 0;
  const spec = live.spec as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (live.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, grace);
}

/** Marked for deletion, out of grace, and nothing left holding it: the update becomes the delete. */
function readyToDelete(obj: KubeObject): boolean {
  const meta = obj.metadata;
  return (
    Boolean(meta.deletionTimestamp) &&
    meta.deletionGracePeriodSeconds === 0 &&
    !meta.finalizers?.length &&
    !pendingNamespaceFinalizers(obj)
  );
}

function pendingNamespaceFinalizers(obj: KubeObject): boolean {
  return (
    obj.kind === 'Namespace' &&
    ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) > 0
  );
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}
