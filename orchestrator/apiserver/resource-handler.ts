import type { IncomingMessage, ServerResponse } from 'node:http';
import { NO_SABOTAGE, type Sabotages } from '../api/sabotage.js';
import { ApiError, errors, isApiError } from '../api/errors.js';
import { formatTime, type Clock } from '../api/clock.js';
import { apiVersionOf, findResource, type ResourceType } from '../api/resources.js';
import type { KubeObject, LabelSelector, Pod, Service } from '../api/types.js';
import { defaultObject, validateObject, type DefaultingOptions } from '../api/schemas/index.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import { decodeBody, mediaType, readBody, writeJson } from './http-io.js';
import type { UserInfo } from './auth/index.js';
import type { NodeRestriction } from './node-restriction.js';
import type { ObjectStore, DeleteOptions } from './object-store.js';
import { applyPatch, serverSideApply, recordUpdateManager } from './patch/index.js';
import type { QuotaAdmission } from './quota-admission.js';
import { proxyPodLog } from './pod-log-proxy.js';
import { proxyToNode } from './node-proxy.js';
import { requestContext, type RequestContext } from './request-context.js';
import type { ResourceRequestInfo } from './request-info.js';
import type { ServiceAllocator } from './service-allocator.js';
import type { TokenRequestHandler } from './token-request-handler.js';
import type { EvictionHandler } from './eviction-handler.js';
import type { Cachers, WatchStart } from './cacher/index.js';
import { isTableRequest, requestedTable } from './table/index.js';
import { listSelector } from './list-selector.js';
import { boolParam } from './bool-param.js';
import { parseReadVersion, type ReadVersion } from './read-version.js';
import { decodeContinue, encodeContinue } from './continue-token.js';

type FieldValidation = 'Strict' | 'Ignore' | 'Warn';

const NAMESPACE = findResource('', 'v1', 'namespaces')!;
const PATCH_TYPES = new Set([
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]);
/** How long a watch waits for its resource's cache to be ready before it is answered 429. */
const WATCH_CACHE_WAIT_MS = 3_000;
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * The REST verbs of every resource and subresource: decodes the request, runs admission
 * (validation, defaulting, namespace lifecycle, NodeRestriction, quota, allocation) and hands the
 * write to the ObjectStore. One instance serves all resources.
 */
export class ResourceHandler {
  constructor(
    private readonly store: ObjectStore,
    private readonly cachers: Cachers,
    private readonly allocator: ServiceAllocator,
    private readonly clock: Clock,
    private readonly defaulting: DefaultingOptions,
    private readonly quota: QuotaAdmission,
    private readonly tokenRequests: TokenRequestHandler,
    private readonly evictions: EvictionHandler,
    /** Undefined when the NodeRestriction admission plugin is disabled. */
    private readonly nodeRestriction?: NodeRestriction,
    /** Known bugs turned on (`--sabotage-*`, orchestrator/api/sabotage.ts). */
    private readonly sabotages: Sabotages = NO_SABOTAGE,
  ) {}

  /** ConfigMap creates seen, for the drop-acknowledged-writes sabotage. */
  private configMapCreates = 0;

  /** Ends every open watch stream cleanly; clients re-watch from their last resourceVersion. */
  closeWatches(): void {
    this.cachers.endWatches();
  }

  async handle(
    info: ResourceRequestInfo,
    r: ResourceType,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    user: UserInfo,
  ): Promise<void> {
    const ctx = requestContext(info, r, req, res, url, user);
    if (info.subresource) return this.handleSubresource(ctx);
    switch (info.verb) {
      case 'get':
        return this.respond(ctx, 200, await this.get(ctx));
      case 'list':
        return this.list(ctx);
      case 'watch':
        return this.watch(ctx);
      case 'create':
        return this.create(ctx);
      case 'update':
        return this.replace(ctx, '');
      case 'patch':
        return this.patch(ctx, '');
      case 'delete':
        return this.delete(ctx);
      case 'deletecollection':
        return this.deleteCollection(ctx);
      default:
        throw errors.methodNotAllowed(`${req.method} is not supported on ${r.resource}`);
    }
  }

  private async handleSubresource(ctx: RequestContext): Promise<void> {
    const { info, r, req } = ctx;
    const sub = info.subresource;
    const allowed = sub === 'finalize' ? r.kind === 'Namespace' : r.subresources.includes(sub as never);
    if (!allowed) throw errors.notFound(`${r.resource}/${sub}`, r.group, info.name);
    if (sub === 'status') {
      if (info.verb === 'get') return this.respond(ctx, 200, await this.get(ctx));
      if (info.verb === 'update') return this.replace(ctx, 'status');
      if (info.verb === 'patch') return this.patch(ctx, 'status');
    }
    if (sub === 'finalize' && info.verb === 'update') return this.replace(ctx, 'finalize');
    if (sub === 'scale') return this.scale(ctx);
    if (sub === 'binding' && info.verb === 'create') return this.bind(ctx);
    if (sub === 'token' && info.verb === 'create') return this.tokenRequests.handle(ctx);
    if (sub === 'eviction' && info.verb === 'create') return this.evictions.handle(ctx, isDryRun(ctx.q));
    if (sub === 'log' && info.verb === 'get')
      return proxyPodLog(this.store, info.namespace, info.name, ctx.q, ctx.res);
    if (sub === 'proxy' && info.verb === 'get') {
      const { search } = new URL(req.url ?? '/', 'http://apiserver');
      return proxyToNode(this.store, info.name, info.path, search, ctx.res, ctx.signal);
    }
    throw errors.methodNotAllowed(`${req.method} is not supported on ${r.resource}/${sub}`);
  }

  // ---- reads ----

  /**
   * A get: from etcd unless the client names a resourceVersion (kube-apiserver 1.32 reads a get
   * without one from etcd); `0`, or one the watch cache has reached, is answered from the cache.
   */
  private async get(ctx: RequestContext): Promise<KubeObject> {
    const { info, r, q } = ctx;
    const version = parseReadVersion(q, 'get');
    const cacher = this.cachers.for(r);
    if (version.revision !== undefined && version.match !== 'Exact' && cacher.ready) {
      if (version.revision === 0 || cacher.revision >= version.revision) {
        const found = cacher.get(this.store.key(r, info.namespace, info.name));
        if (!found) throw errors.notFound(r.resource, r.group, info.name);
        return found;
      }
    }
    return this.store.get(r, info.namespace, info.name);
  }

  /**
   * A list, with kube-apiserver 1.32's choice of source as it makes it against etcd 3.4.23, where
   * consistent reads from the cache are off (they need etcd ≥ 3.4.31's progress notifications):
   * `resourceVersion=0` (any) and `resourceVersion=N` (not older than N) without `limit` or
   * `continue` come from the watch cache (0 ignores `limit`, as there); a list without a
   * resourceVersion, a page, a continuation and `resourceVersionMatch=Exact` read etcd.
   */
  private async list(ctx: RequestContext): Promise<void> {
    const { info, r, q } = ctx;
    const matches = listSelector(r.resource, q);
    const limit = q.has('limit') ? parseLimit(q.get('limit')!) : 0;
    const cont = q.get('continue') ? decodeContinue(q.get('continue')!) : undefined;
    const version = parseReadVersion(q, 'list', Boolean(cont));
    const fromCache = this.listFromCache(ctx, version, limit, Boolean(cont), matches.fn);
    if (fromCache)
      return this.writeList(ctx, fromCache.items, { resourceVersion: String(fromCache.revision) });
    const items: KubeObject[] = [];
    let revision = cont?.revision ?? (version.match === 'Exact' ? version.revision! : 0);
    let startKey = cont?.startKey;
    let nextKey: string | undefined;
    let remaining: number | undefined;
    // Keep reading pages until the filtered page is full: a selector may drop most of a page.
    for (;;) {
      const want = limit ? Math.max(limit - items.length, 1) : 0;
      const page = await this.store.list(r, info.namespace, {
        limit: want ? want + (matches.all ? 0 : 50) : 0,
        startKey,
        revision,
      });
      revision = page.revision;
      for (const obj of page.items) {
        if (limit && items.length === limit) {
          nextKey = this.store.key(r, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
          break;
        }
        if (matches.fn(obj)) items.push(obj);
      }
      if (nextKey) break;
      if (!page.nextKey) break;
      if (limit && items.length >= limit) {
        nextKey = page.nextKey;
        remaining = page.remaining;
        break;
      }
      startKey = page.nextKey;
    }
    if (version.revision && version.match !== 'Exact' && revision < version.revision)
      throw tooLarge(version.revision, revision);
    const metadata = {
      resourceVersion: String(revision),
      ...(nextKey ? { continue: encodeContinue({ revision, startKey: nextKey }) } : {}),
      ...(nextKey && matches.all && remaining !== undefined ? { remainingItemCount: remaining } : {}),
    };
    return this.writeList(ctx, items, metadata);
  }

  /** The list from the watch cache, when the request allows it and the cache has it; else undefined. */
  private listFromCache(
    ctx: RequestContext,
    version: ReadVersion,
    limit: number,
    continuing: boolean,
    matches: (obj: KubeObject) => boolean,
  ): { items: KubeObject[]; revision: number } | undefined {
    if (version.revision === undefined || version.match === 'Exact' || continuing) return undefined;
    if (limit && version.revision !== 0) return undefined;
    const cacher = this.cachers.for(ctx.r);
    if (!cacher.ready || cacher.revision < version.revision) return undefined;
    return { items: cacher.listNamespace(ctx.info.namespace).filter(matches), revision: cacher.revision };
  }

  private writeList(ctx: RequestContext, items: KubeObject[], metadata: object): void {
    const { r, req, res, q } = ctx;
    if (isTableRequest(req.headers.accept)) {
      return writeJson(res, 200, this.table(r, items, q, metadata, req.headers.accept));
    }
    writeJson(res, 200, {
      apiVersion: ctx.served.apiVersion,
      kind: `${r.kind}List`,
      metadata,
      items: items.map((o) => ctx.served.fromStorage(o)),
    });
  }

  /**
   * A watch, served by the resource's watch cache: from resourceVersion N, the events after it (410
   * once the cache's window no longer reaches back to N); from 0, the cache's objects and then the
   * events; without one, the objects as etcd holds them now (a consistent read) and then the events.
   */
  private async watch(ctx: RequestContext): Promise<void> {
    const { info, r, req, res, q } = ctx;
    const matches = listSelector(r.resource, q);
    const asTable = isTableRequest(req.headers.accept);
    const version = parseReadVersion(q, 'watch');
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const cacher = this.cachers.for(r);
    if (!cacher.ready && !(await cacher.waitUntilReady(WATCH_CACHE_WAIT_MS))) {
      throw new ApiError(
        'TooManyRequests',
        `storage is (re)initializing: the watch cache of ${r.resource} is not ready`,
        { retryAfterSeconds: 1 },
      );
    }
    const start = await this.watchStart(ctx, version);
    if (res.destroyed || ctx.signal.aborted) return;
    await cacher.watch(
      res,
      {
        namespace: r.namespaced ? info.namespace : '',
        key: info.name ? this.store.key(r, info.namespace, info.name) : undefined,
        matches: matches.fn,
        render: asTable
          ? (obj) => this.table(r, [obj], q, {}, req.headers.accept)
          : ctx.served.apiVersion !== apiVersionOf(r)
            ? (obj) => ctx.served.fromStorage(obj)
            : undefined,
        bookmarks: boolParam(q, 'allowWatchBookmarks'),
        bookmarkKind: { apiVersion: ctx.served.apiVersion, kind: r.kind },
        timeoutSeconds: Number.isFinite(timeout) ? timeout : 0,
      },
      start,
    );
  }

  private async watchStart(ctx: RequestContext, version: ReadVersion): Promise<WatchStart> {
    if (version.revision === 0) return { from: 'cache' };
    if (version.revision !== undefined) return { from: 'revision', revision: version.revision };
    const { r, info } = ctx;
    const items: KubeObject[] = [];
    let startKey: string | undefined;
    let revision = 0;
    do {
      const page = await this.store.list(r, info.namespace, { limit: 500, startKey, revision });
      revision = page.revision;
      const key = info.name ? this.store.key(r, info.namespace, info.name) : undefined;
      page.items.forEach((obj, i) => {
        if (key === undefined || page.keys[i] === key) items.push(obj);
      });
      startKey = page.nextKey;
    } while (startKey);
    return { from: 'list', items, revision };
  }

  // ---- writes ----

  private async create(ctx: RequestContext): Promise<void> {
    const { info, r, req, q } = ctx;
    const body = ctx.served.toStorage(checkTypeMeta(ctx, await readObject(req)));
    const { object, warnings } = validateObject(this.inNamespace(info, r, body), {
      kind: r.kind,
      fieldValidation: fieldValidation(q),
    });
    const obj = defaultObject(object, this.defaulting);
    await this.admitCreate(ctx, obj);
    if (isDryRun(q)) return this.respond(ctx, 201, this.store.withIdentity(r, obj), warnings);
    const manager = q.get('fieldManager') ?? userAgentManager(req);
    const stored = await this.createWithAllocation(
      ctx,
      recordUpdateManager(undefined, obj, manager, 'Update', formatTime(this.clock.now())),
    );
    return this.respond(ctx, 201, stored, warnings);
  }

  private async createWithAllocation(ctx: RequestContext, obj: KubeObject): Promise<KubeObject> {
    const { r } = ctx;
    // SABOTAGE drop-acknowledged-writes: every 5th ConfigMap is acknowledged and never written.
    if (
      this.sabotages.has('drop-acknowledged-writes') &&
      r.kind === 'ConfigMap' &&
      obj.metadata.name !== 'kube-root-ca.crt' &&
      ++this.configMapCreates % 5 === 0
    )
      return this.store.withIdentity(r, obj);
    const claims = r.kind === 'Service' ? await this.allocator.allocate(obj as Service, undefined) : [];
    try {
      return await this.store.create(r, obj, ctx.signal);
    } catch (e) {
      await this.allocator.releaseKeys(claims);
      throw e;
    }
  }

  private async replace(ctx: RequestContext, sub: string): Promise<void> {
    const { info, r, req, q } = ctx;
    const body = ctx.served.toStorage(checkTypeMeta(ctx, await readObject(req)));
    const named = this.inNamespace(info, r, body);
    if (named.metadata?.name && named.metadata.name !== info.name) {
      throw errors.badRequest(
        `the name of the object (${named.metadata.name}) does not match the name on the URL (${info.name})`,
      );
    }
    named.metadata = { ...named.metadata, name: info.name };
    const { object, warnings } = validateObject(named, { kind: r.kind, fieldValidation: fieldValidation(q) });
    const desired = defaultObject(object, this.defaulting);
    const manager = q.get('fieldManager') ?? userAgentManager(req);
    const updated = await this.update(
      ctx,
      sub,
      async (live) => {
        const next =
          sub === 'finalize'
            ? {
                ...live,
                spec: {
                  ...(live.spec as object),
                  finalizers: (desired.spec as { finalizers?: string[] })?.finalizers ?? [],
                },
              }
            : desired;
        return recordUpdateManager(live, next, manager, 'Update', formatTime(this.clock.now()));
      },
      desired.metadata.resourceVersion,
    );
    return this.respond(ctx, 200, updated, warnings);
  }

  private async patch(ctx: RequestContext, sub: string): Promise<void> {
    const { info, r, req, q } = ctx;
    const type = mediaType(req.headers['content-type']);
    if (!PATCH_TYPES.has(type)) throw errors.unsupportedMediaType(type);
    const raw = await readBody(req);
    const patch = decodeBody(
      raw,
      type === 'application/apply-patch+yaml' ? 'application/yaml' : 'application/json',
    );
    const now = formatTime(this.clock.now());
    if (type === 'application/apply-patch+yaml') {
      const manager = q.get('fieldManager');
      if (!manager)
        throw errors.badRequest('PATCH requests with apply content type require fieldManager to be set');
      const force = boolParam(q, 'force');
      if (!isObject(patch)) throw errors.badRequest('apply patch must be an object');
      const applied = this.inNamespace(
        info,
        r,
        ctx.served.toStorage(checkTypeMeta(ctx, patch as Partial<KubeObject>)),
      ) as KubeObject;
      applied.metadata = { ...applied.metadata, name: info.name };
      const live = await this.store.tryGet(r, info.namespace, info.name);
      if (!live) {
        const { object } = validateObject(applied, { kind: r.kind, fieldValidation: fieldValidation(q) });
        const obj = defaultObject(
          serverSideApply(undefined, object, { manager, force, now }),
          this.defaulting,
        );
        await this.admitCreate(ctx, obj);
        if (isDryRun(q)) return this.respond(ctx, 201, this.store.withIdentity(r, obj));
        return this.respond(ctx, 201, await this.createWithAllocation(ctx, obj));
      }
      const updated = await this.update(ctx, sub, (current) => {
        const merged = serverSideApply(current, applied, { manager, force, now });
        return defaultObject(
          validateObject(merged, { kind: r.kind, fieldValidation: 'Ignore' }).object,
          this.defaulting,
        );
      });
      return this.respond(ctx, 200, updated);
    }
    const manager = q.get('fieldManager') ?? userAgentManager(req);
    const updated = await this.update(ctx, sub, (live) => {
      // A patch applies to the object as the client sees it, in the version it asked for.
      const patched = ctx.served.toStorage(applyPatch(type, ctx.served.fromStorage(live), patch, r.kind));
      const { object } = validateObject(patched, { kind: r.kind, fieldValidation: fieldValidation(q) });
      return recordUpdateManager(live, defaultObject(object, this.defaulting), manager, 'Update', now);
    });
    return this.respond(ctx, 200, updated);
  }

  /**
   * An update through the store, admitted by NodeRestriction, with Service allocation kept in step
   * and dry run honoured.
   */
  private async update(
    ctx: RequestContext,
    sub: string,
    compute: (live: KubeObject) => KubeObject | Promise<KubeObject>,
    pinnedResourceVersion?: string,
  ): Promise<KubeObject> {
    const { r, info, q, signal } = ctx;
    const fn = this.admittingUpdate(ctx, sub, compute);
    if (isDryRun(q)) {
      const live = await this.store.get(r, info.namespace, info.name);
      return fn(live);
    }
    if (r.kind !== 'Service' || sub)
      return this.store.update(r, info.namespace, info.name, sub, fn, pinnedResourceVersion, signal);
    let claims: string[] = [];
    let before: Service | undefined;
    try {
      const updated = (await this.store.update(
        r,
        info.namespace,
        info.name,
        sub,
        async (live) => {
          await this.allocator.releaseKeys(claims);
          before = live as Service;
          const next = (await fn(live)) as Service;
          claims = await this.allocator.allocate(next, live as Service);
          return next;
        },
        pinnedResourceVersion,
        signal,
      )) as Service;
      if (before) await this.allocator.release(before, updated);
      return updated;
    } catch (e) {
      await this.allocator.releaseKeys(claims);
      throw e;
    }
  }

  private async delete(ctx: RequestContext): Promise<void> {
    const { info, r, req, res, q } = ctx;
    const opts = await deleteOptions(req, q);
    if (r.kind === 'Namespace' && PROTECTED_NAMESPACES.has(info.name)) {
      throw errors.forbidden(`namespace ${info.name} is protected: this namespace may not be deleted`);
    }
    const admit = (live: KubeObject) => this.nodeRestriction?.admitDelete(ctx.user, r, live);
    if (isDryRun(q)) {
      const live = await this.store.get(r, info.namespace, info.name);
      admit(live);
      return this.respond(ctx, 200, live);
    }
    const result = await this.store.delete(r, info.namespace, info.name, opts, ctx.signal, admit);
    if (result.deleted && r.kind === 'Service') await this.allocator.release(result.object as Service);
    if (!result.deleted) return this.respond(ctx, 202, result.object);
    writeJson(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: info.name, group: r.group, kind: r.resource, uid: result.object.metadata.uid },
    });
  }

  private async deleteCollection(ctx: RequestContext): Promise<void> {
    const { info, r, req, res, q } = ctx;
    const opts = await deleteOptions(req, q);
    const matches = listSelector(r.resource, q);
    const page = await this.store.list(r, info.namespace);
    const removed: KubeObject[] = [];
    for (const obj of page.items.filter(matches.fn)) {
      if (r.kind === 'Namespace' && PROTECTED_NAMESPACES.has(obj.metadata.name!)) continue;
      try {
        const result = await this.store.delete(
          r,
          obj.metadata.namespace ?? '',
          obj.metadata.name!,
          opts,
          ctx.signal,
          (live) => this.nodeRestriction?.admitDelete(ctx.user, r, live),
        );
        if (result.deleted && r.kind === 'Service') await this.allocator.release(result.object as Service);
        removed.push(ctx.served.fromStorage(result.object));
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
    }
    writeJson(res, 200, {
      apiVersion: ctx.served.apiVersion,
      kind: `${r.kind}List`,
      metadata: {},
      items: removed,
    });
  }

  // ---- subresources ----

  private async scale(ctx: RequestContext): Promise<void> {
    const { info, r, req, res } = ctx;
    if (info.verb === 'get')
      return writeJson(res, 200, scaleOf(await this.store.get(r, info.namespace, info.name)));
    if (info.verb !== 'update' && info.verb !== 'patch')
      throw errors.methodNotAllowed(`${req.method} is not supported on ${r.resource}/scale`);
    const type = mediaType(req.headers['content-type']);
    // Patch media types are all JSON documents; only the way they apply differs.
    const raw = await readBody(req);
    const body =
      info.verb === 'update'
        ? decodeBody(raw, req.headers['content-type'])
        : decodeBody(raw, type.endsWith('yaml') ? 'application/yaml' : 'application/json');
    const pinned =
      info.verb === 'update'
        ? (body as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion
        : undefined;
    const updated = await this.store.update(
      r,
      info.namespace,
      info.name,
      '',
      (live) => {
        const current = scaleOf(live);
        const desired = (
          info.verb === 'patch' ? applyPatch(type, current as unknown as KubeObject, body, 'Scale') : body
        ) as ReturnType<typeof scaleOf>;
        const replicas = desired?.spec?.replicas;
        if (!Number.isInteger(replicas) || (replicas as number) < 0) {
          throw errors.invalid('Scale', 'autoscaling', info.name, [
            {
              field: 'spec.replicas',
              reason: 'FieldValueInvalid',
              message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
            },
          ]);
        }
        const next = { ...live, spec: { ...(live.spec as object), replicas } };
        this.nodeRestriction?.admitUpdate(ctx.user, r, 'scale', next, live);
        return next;
      },
      pinned || undefined,
      ctx.signal,
    );
    writeJson(res, 200, scaleOf(updated));
  }

  private async bind(ctx: RequestContext): Promise<void> {
    const { info, r, req, res } = ctx;
    const binding = (await readObject(req)) as {
      metadata?: { name?: string };
      target?: { kind?: string; name?: string };
    };
    const node = binding.target?.name;
    if (!node)
      throw errors.invalid('Binding', '', info.name, [
        { field: 'target.name', reason: 'FieldValueRequired', message: 'Required value' },
      ]);
    if (binding.metadata?.name && binding.metadata.name !== info.name) {
      throw errors.badRequest(
        `the name of the binding (${binding.metadata.name}) does not match the pod (${info.name})`,
      );
    }
    const now = formatTime(this.clock.now());
    await this.store.update(
      r,
      info.namespace,
      info.name,
      'binding',
      (live) => {
        const pod = live as Pod;
        if (pod.metadata.deletionTimestamp)
          throw errors.conflict('pods', '', info.name, 'pod is being deleted, cannot be assigned to a host');
        if (pod.spec.nodeName)
          throw errors.conflict(
            'pods',
            '',
            info.name,
            `pod ${info.name} is already assigned to node "${pod.spec.nodeName}"`,
          );
        const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
        conditions.push({
          type: 'PodScheduled',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: now,
        });
        const next = { ...pod, spec: { ...pod.spec, nodeName: node }, status: { ...pod.status, conditions } };
        this.nodeRestriction?.admitUpdate(ctx.user, r, 'binding', next, live);
        return next;
      },
      undefined,
      ctx.signal,
    );
    writeJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  // ---- helpers ----

  /**
   * Namespace lifecycle admission (the namespace must exist and not be terminating), then
   * NodeRestriction, then ResourceQuota admission, which charges the quotas unless this is a dry run.
   */
  private async admitCreate(ctx: RequestContext, obj: KubeObject): Promise<void> {
    const { r } = ctx;
    if (!r.namespaced) {
      this.nodeRestriction?.admitCreate(ctx.user, r, obj);
      return;
    }
    const ns = obj.metadata.namespace!;
    // The cache answers most creates; a miss may be a namespace created a moment ago, so ask etcd.
    const cached = this.cachers.guess(NAMESPACE, this.store.key(NAMESPACE, '', ns));
    const namespace = cached ?? (await this.store.tryGet(NAMESPACE, '', ns));
    if (!namespace) throw errors.notFound('namespaces', '', ns);
    if (namespace.metadata.deletionTimestamp) {
      throw errors.forbidden(
        `${r.resource} "${obj.metadata.name ?? obj.metadata.generateName}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      );
    }
    this.nodeRestriction?.admitCreate(ctx.user, r, obj);
    await this.quota.admitCreate(r, obj, { dryRun: isDryRun(ctx.q) });
  }

  /** `compute` followed by NodeRestriction's judgement of the object it computed. */
  private admittingUpdate(
    ctx: RequestContext,
    sub: string,
    compute: (live: KubeObject) => KubeObject | Promise<KubeObject>,
  ): (live: KubeObject) => Promise<KubeObject> {
    return async (live) => {
      const next = await compute(live);
      this.nodeRestriction?.admitUpdate(ctx.user, ctx.r, sub, next, live);
      return next;
    };
  }

  /** Puts the URL's namespace on the body; a different namespace in the body is a 400, as in Kubernetes. */
  private inNamespace(
    info: ResourceRequestInfo,
    r: ResourceType,
    body: Partial<KubeObject>,
  ): Partial<KubeObject> & { metadata: KubeObject['metadata'] } {
    const metadata = { ...(isObject(body.metadata) ? body.metadata : {}) };
    if (r.namespaced) {
      if (metadata.namespace && info.namespace && metadata.namespace !== info.namespace) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = info.namespace || metadata.namespace;
      if (!metadata.namespace) throw errors.badRequest('a namespaced object needs a namespace in the URL');
    }
    return { ...body, metadata };
  }

  private table(
    r: ResourceType,
    objects: KubeObject[],
    q: URLSearchParams,
    listMeta: object,
    accept: string | undefined,
  ): unknown {
    return requestedTable(
      objects.map((o) => withTypeMeta(r, o)),
      { kind: r.kind, query: q, listMeta, accept, now: this.clock.now() },
    );
  }

  private respond(ctx: RequestContext, code: number, obj: KubeObject, warnings: string[] = []): void {
    const { r, req, res, q } = ctx;
    const headers: Record<string, string> = {};
    if (warnings.length) headers['warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ');
    if (isTableRequest(req.headers.accept))
      return writeJson(res, code, this.table(r, [obj], q, {}, req.headers.accept), headers);
    writeJson(res, code, ctx.served.fromStorage(obj), headers);
  }
}

function withTypeMeta(r: ResourceType, obj: KubeObject): KubeObject {
  return obj.kind && obj.apiVersion ? obj : { ...obj, apiVersion: apiVersionOf(r), kind: r.kind };
}

function scaleOf(obj: KubeObject) {
  const spec = obj.spec as { replicas?: number; selector?: LabelSelector };
  const status = (obj.status ?? {}) as { replicas?: number };
  // The whole selector, matchExpressions too, as the Deployment strategy's selector.String(): an
  // autoscaler counts the pods it matches.
  let selector = '';
  try {
    selector = labelSelectorFromObject(spec.selector ?? {}).toString();
  } catch {
    // Admitted selectors parse; an empty one makes an autoscaler refuse to count (SelectorRequired).
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}

async function readObject(req: IncomingMessage): Promise<Partial<KubeObject>> {
  const body = decodeBody(await readBody(req), req.headers['content-type']);
  if (!isObject(body)) throw errors.badRequest('the request body must be an object');
  return body as Partial<KubeObject>;
}

/** The body, checked to be of the request's apiVersion and kind, and stamped with them. */
function checkTypeMeta(ctx: RequestContext, body: Partial<KubeObject>): Partial<KubeObject> {
  const { r } = ctx;
  const expected = ctx.served.apiVersion;
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    throw errors.badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`,
    );
  }
  if (body.kind !== undefined && body.kind !== r.kind) {
    throw errors.badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${r.kind})`,
    );
  }
  body.apiVersion = expected;
  body.kind = r.kind;
  return body;
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const raw = await readBody(req);
  const body = raw.length && raw.toString().trim() ? decodeBody(raw, req.headers['content-type']) : {};
  if (!isObject(body)) throw errors.badRequest('DeleteOptions must be an object');
  const opts = body as DeleteOptions & { orphanDependents?: boolean };
  const grace = q.get('gracePeriodSeconds') ?? opts.gracePeriodSeconds;
  const orphan = q.has('orphanDependents') ? boolParam(q, 'orphanDependents') : opts.orphanDependents;
  const policy = q.get('propagationPolicy') ?? opts.propagationPolicy ?? (orphan ? 'Orphan' : undefined);
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw errors.badRequest(
      `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  const graceSeconds = grace === undefined || grace === null ? undefined : Number(grace);
  if (graceSeconds !== undefined && !Number.isInteger(graceSeconds))
    throw errors.badRequest(`gracePeriodSeconds: invalid value ${String(grace)}`);
  return {
    gracePeriodSeconds: graceSeconds,
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    preconditions: opts.preconditions,
  };
}

function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation') ?? 'Strict';
  if (v !== 'Strict' && v !== 'Ignore' && v !== 'Warn') {
    throw errors.badRequest(
      `fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Warn", "Strict"`,
    );
  }
  return v;
}

function isDryRun(q: URLSearchParams): boolean {
  const v = q.getAll('dryRun');
  if (v.some((d) => d !== 'All'))
    throw errors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
  return v.length > 0;
}

/** kube-apiserver's "too large resource version": etcd has not reached what the client asked for. */
function tooLarge(requested: number, current: number): ApiError {
  return new ApiError('Timeout', `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw errors.badRequest(`limit: Invalid value: "${text}": must be a non-negative integer`);
  return n;
}

function userAgentManager(req: IncomingMessage): string {
  return (req.headers['user-agent'] ?? 'unknown').split('/')[0]!;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
