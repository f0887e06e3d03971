import type { Clock } from '../api/clock.js';
import { ApiError, isApiError, qualifiedResource } from '../api/errors.js';
import {
  addResources,
  exceededResources,
  formatResourceList,
  maskResources,
  parseResourceList,
  quotaCovers,
  quotaEvaluator,
  quotaUsage,
  renderResourceList,
  trackedResources,
  withoutZeros,
  type QuotaEvaluator,
  type ResourceList,
} from '../api/quota/index.js';
import { findResource, type ResourceType } from '../api/resources.js';
import type { KubeObject, ResourceQuota } from '../api/types.js';
import type { ObjectStore } from './object-store.js';
import type { CachedObjects } from './cacher/index.js';

const RESOURCE_QUOTAS = findResource('', 'v1', 'resourcequotas')!;

/** What one create needs to know while it is being admitted. */
interface Request {
  r: ResourceType;
  obj: KubeObject;
  evaluator: QuotaEvaluator;
  /** What the object consumes, zeros left out. */
  usage: ResourceList;
  now: Date;
  /** The namespace's objects of the resource, read from etcd at most once per request. */
  objects?: Promise<KubeObject[]>;
}

/** How long a live look-up that found no quota in a namespace is trusted (kube-apiserver: 30 s). */
const LIVE_LOOKUP_TTL_MS = 30_000;

/**
 * kube-apiserver's ResourceQuota admission, for creates. A create that would take any quota of
 * its namespace beyond `spec.hard` is refused with 403 Forbidden, worded as Kubernetes words
 * it; so is a pod that leaves out a request a quota requires. Otherwise the object's usage is
 * charged to each quota it counts against by a compare-and-swap of `status.used` before the
 * object is stored, so concurrent creates (through any number of apiservers) cannot together
 * overrun a quota. The resourcequota controller later recounts the real usage, which releases
 * charges of deleted objects and of creates that failed after admission.
 */
export class QuotaAdmission {
  /** Per namespace, the tail of the admissions waiting: one apiserver does not race itself. */
  private readonly namespaceTails = new Map<string, Promise<void>>();

  private readonly noQuotaUntil = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    /** The quotas as last watched: lets a create in a namespace without quota skip reading etcd. */
    private readonly cache?: CachedObjects,
  ) {}

  /**
   * Admits creating `obj` (validated and defaulted) as a `r`, charging the quotas it counts
   * against; rejects with a Forbidden ApiError when a quota does not allow it. A dry run is
   * checked the same way and charges nothing.
   */
  async admitCreate(r: ResourceType, obj: KubeObject, options: { dryRun?: boolean } = {}): Promise<void> {
    const evaluator = quotaEvaluator(r);
    const namespace = obj.metadata.namespace;
    if (!evaluator || !namespace) return;
    // A quota being created here ends any "this namespace has no quota" remembered here.
    if (r.kind === 'ResourceQuota') this.noQuotaUntil.delete(namespace);
    // Most namespaces have no quota: find that out without queueing behind other creates.
    if (!(await this.mayHaveQuota(namespace, r.kind !== 'ResourceQuota'))) return;
    await this.serialized(namespace, () => this.admit(r, obj, evaluator, options.dryRun ?? false));
  }

  private async admit(
    r: ResourceType,
    obj: KubeObject,
    evaluator: QuotaEvaluator,
    dryRun: boolean,
  ): Promise<void> {
    const now = this.clock.now();
    const quotas = (await this.quotas(obj.metadata.namespace!)).filter((q) => quotaCovers(q, evaluator, obj));
    // As Kubernetes: every quota's constraints are checked before any usage.
    for (const quota of quotas) {
      const violation = evaluator.constraintViolation(trackedResources(quota, evaluator), obj);
      if (violation) throw forbidden(r, obj, `failed quota: ${quota.metadata.name}: ${violation}`);
    }
    const request: Request = { r, obj, evaluator, usage: withoutZeros(evaluator.usage(obj, now)), now };
    if (Object.keys(request.usage).length === 0) return;
    // Refuse on what was read before writing anything, so a refusal charges no quota.
    const charged: ResourceQuota[] = [];
    for (const quota of quotas) if (await this.charged(quota, request)) charged.push(quota);
    if (dryRun) return;
    for (const quota of charged) await this.charge(quota, request);
  }

  /** Writes the charge with a compare-and-swap, recomputed on the live quota after every conflict. */
  private async charge(quota: ResourceQuota, request: Request): Promise<void> {
    let refusal: ApiError | undefined;
    try {
      await this.store.update(
        RESOURCE_QUOTAS,
        quota.metadata.namespace!,
        quota.metadata.name!,
        'status',
        async (live) => {
          refusal = undefined;
          try {
            return (await this.charged(live as ResourceQuota, request)) ?? live;
          } catch (e) {
            if (!isApiError(e, 'Forbidden')) throw e;
            // Refused only once etcd agrees: an unchanged result sends the store there from a cached guess.
            refusal = e;
            return live;
          }
        },
      );
    } catch (e) {
      // A quota deleted meanwhile limits nothing any more.
      if (isApiError(e, 'NotFound')) return;
      throw e;
    }
    if (refusal) throw refusal;
  }

  /**
   * `quota` with the request's usage added to `status.used`, undefined when the request uses
   * nothing it limits; throws Forbidden when the sum exceeds `spec.hard`. A limited resource the
   * quota has no usage for yet (its controller has not counted) is counted here, from etcd.
   */
  private async charged(quota: ResourceQuota, request: Request): Promise<ResourceQuota | undefined> {
    if (!quotaCovers(quota, request.evaluator, request.obj)) return undefined;
    const hard = parseResourceList(quota.spec?.hard);
    const requested = maskResources(request.usage, trackedResources(quota, request.evaluator));
    const names = Object.keys(requested);
    if (names.length === 0) return undefined;
    const recorded = parseResourceList(quota.status?.used);
    const uncounted = names.filter((name) => !recorded[name]);
    const used = uncounted.length
      ? {
          ...recorded,
          ...maskResources(
            quotaUsage(quota, request.evaluator, await this.objects(request), request.now),
            uncounted,
          ),
        }
      : recorded;
    const total = addResources(used, requested);
    const exceeded = exceededResources(maskResources(total, names), hard);
    if (exceeded.length > 0) {
      throw forbidden(
        request.r,
        request.obj,
        `exceeded quota: ${quota.metadata.name}, requested: ${formatResourceList(requested, exceeded)}, used: ${formatResourceList(used, exceeded)}, limited: ${formatResourceList(hard, exceeded)}`,
      );
    }
    return {
      ...quota,
      status: {
        ...quota.status,
        used: { ...quota.status?.used, ...renderResourceList(maskResources(total, names)) },
      },
    };
  }

  /**
   * Whether `namespace` may hold a quota, as kube-apiserver's quota accessor decides: the watch
   * cache when it shows one; when it shows none (it may lag a quota just created), a live look-up
   * in etcd, whose "none" is remembered for LIVE_LOOKUP_TTL_MS — unless the create is itself a
   * quota, which is about to make that "none" false.
   */
  private async mayHaveQuota(namespace: string, remember: boolean): Promise<boolean> {
    if (this.cache?.ready && this.cache.list(`${this.cache.prefix}${namespace}/`).length > 0) return true;
    const now = this.clock.now().getTime();
    if ((this.noQuotaUntil.get(namespace) ?? 0) > now) return false;
    const found = (await this.quotas(namespace)).length > 0;
    if (!found && remember) {
      this.noQuotaUntil.set(namespace, now + LIVE_LOOKUP_TTL_MS);
      if (this.noQuotaUntil.size > 10_000) this.noQuotaUntil.delete(this.noQuotaUntil.keys().next().value!);
    }
    return found;
  }

  private async quotas(namespace: string): Promise<ResourceQuota[]> {
    const page = await this.store.list(RESOURCE_QUOTAS, namespace);
    return (page.items as ResourceQuota[]).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  }

  private objects(request: Request): Promise<KubeObject[]> {
    request.objects ??= this.store
      .list(request.r, request.obj.metadata.namespace!)
      .then((page) => page.items);
    return request.objects;
  }

  /** Runs `fn` after every earlier admission in `namespace` has finished. */
  private async serialized(namespace: string, fn: () => Promise<void>): Promise<void> {
    const previous = this.namespaceTails.get(namespace) ?? Promise.resolve();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const tail = previous.then(() => finished);
    this.namespaceTails.set(namespace, tail);
    await previous;
    try {
      await fn();
    } finally {
      finish();
      if (this.namespaceTails.get(namespace) === tail) this.namespaceTails.delete(namespace);
    }
  }
}

function forbidden(r: ResourceType, obj: KubeObject, why: string): ApiError {
  const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
  return new ApiError(
    'Forbidden',
    `${qualifiedResource(r.resource, r.group)} "${name}" is forbidden: ${why}`,
    {
      name,
      group: r.group,
      kind: r.resource,
    },
  );
}
