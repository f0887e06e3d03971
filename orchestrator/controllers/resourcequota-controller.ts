import { isDeepStrictEqual } from 'node:util';
import { type ReconcileLoop, objectKey, type Informer } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import {
  Quantity,
  maskResources,
  parseResourceList,
  podChargedUntil,
  quotaEvaluators,
  quotaUsage,
  renderResourceList,
  trackedResources,
  type QuotaEvaluator,
  type ResourceList,
} from '../api/quota/index.js';
import { findResource } from '../api/resources.js';
import type { KubeObject, Pod, ResourceQuota } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';

const RESOURCE_QUOTAS = findResource('', 'v1', 'resourcequotas')!;
/** kube-controller-manager's --resource-quota-sync-period. */
const DEFAULT_RESYNC_PERIOD_MS = 5 * 60_000;
const DEFAULT_CHARGE_SETTLE_MS = 2_000;

export interface ResourceQuotaControllerOptions {
  /** How often every quota is recounted even if nothing it counts was deleted. Default 5 minutes. */
  resyncPeriodMs?: number;
  /**
   * How long after a quota was last charged a recount of it may not be written, so that the
   * objects charged are stored and seen first. Default 2 s.
   */
  chargeSettleMs?: number;
}

/** A counted resource: how it is charged, and where its objects are seen. */
interface CountedResource {
  evaluator: QuotaEvaluator;
  informer: Informer;
}

/**
 * Keeps `status.hard` (a copy of `spec.hard`) and `status.used` (what the namespace's objects
 * consume of it) of every ResourceQuota, as kube-controller-manager's resourcequota controller.
 *
 * The apiserver's quota admission charges `status.used` before each create, so creations need
 * no recount; a recount is what gives usage back. A quota is recounted when it appears or its
 * spec changes, when an object it counts is deleted or changes what it uses (a pod finishing, a
 * service changing type), when an object older than the quota shows up late in the cache, and
 * every resync period, which also returns the charges of creates that failed after admission.
 *
 * A recount must not count out an object that was charged but is not stored or seen yet: its
 * charge would go to the next create, and the quota would be overrun. So a recount differing
 * from the status is written only once the quota was last charged `chargeSettleMs` ago (a charge
 * made later fails the write's compare-and-swap), and creations do not trigger recounts. Usage
 * thus goes down at most that much later while creates keep charging a quota that has room.
 */
export class ResourceQuotaController implements Controller {
  readonly name = 'resourcequota';
  private readonly loop: ReconcileLoop;
  private readonly quotas: Informer<ResourceQuota>;
  private readonly counted: CountedResource[];
  private readonly resyncPeriodMs: number;
  private readonly chargeSettleMs: number;
  /** When each quota was last seen charged (its usage going up), in ms since the epoch. */
  private readonly lastCharged = new Map<string, number>();
  /** The resourceVersion each quota had when first seen: objects up to it were never charged to it. */
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    options: ResourceQuotaControllerOptions = {},
  ) {
    this.resyncPeriodMs = options.resyncPeriodMs ?? DEFAULT_RESYNC_PERIOD_MS;
    this.chargeSettleMs = options.chargeSettleMs ?? DEFAULT_CHARGE_SETTLE_MS;
    this.quotas = ctx.informers.informer<ResourceQuota>(RESOURCE_QUOTAS);
    this.counted = quotaEvaluators().map((evaluator) => ({
      evaluator,
      informer: ctx.informers.informer(evaluator.resource),
    }));
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    this.quotas.addHandlers({
      add: (quota) => {
        this.firstSeen.set(objectKey(quota), Number(quota.metadata.resourceVersion));
        // Found with usage (a restart, a relist): a charge may be in flight.
        if (usageRose(undefined, quota)) this.lastCharged.set(objectKey(quota), ctx.clock.now().getTime());
        this.loop.enqueue(quota);
      },
      // Status changes are this controller's writes and admission's charges: neither asks for a recount.
      update: (old, quota) => {
        if (usageRose(old, quota)) this.lastCharged.set(objectKey(quota), ctx.clock.now().getTime());
        if (!isDeepStrictEqual(old.spec, quota.spec)) this.loop.enqueue(quota);
      },
      delete: (quota) => {
        this.firstSeen.delete(objectKey(quota));
        this.lastCharged.delete(objectKey(quota));
      },
    });
    for (const counted of this.counted) {
      counted.informer.addHandlers({
        // Admission charged what was created under the quota; what predates it may have been missed.
        add: (obj) =>
          this.enqueueQuotasCounting(counted.evaluator, obj, (quota) => this.predates(obj, quota)),
        update: (old, obj) => {
          const now = ctx.clock.now();
          const before = renderResourceList(counted.evaluator.usage(old, now));
          const after = renderResourceList(counted.evaluator.usage(obj, now));
          if (!isDeepStrictEqual(before, after)) this.enqueueQuotasCounting(counted.evaluator, obj);
        },
        delete: (obj) => this.enqueueQuotasCounting(counted.evaluator, obj),
      });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private enqueueQuotasCounting(
    evaluator: QuotaEvaluator,
    obj: KubeObject,
    concerns: (quota: ResourceQuota) => boolean = () => true,
  ): void {
    for (const quota of this.quotas.byIndex('namespace', obj.metadata.namespace ?? '')) {
      if (trackedResources(quota, evaluator).length > 0 && concerns(quota)) this.loop.enqueue(quota);
    }
  }

  /** Whether `obj` existed before `quota` did (or before this controller knew the quota). */
  private predates(obj: KubeObject, quota: ResourceQuota): boolean {
    const firstSeen = this.firstSeen.get(objectKey(quota)) ?? Infinity;
    const created = (o: KubeObject) => Date.parse(o.metadata.creationTimestamp ?? '');
    return Number(obj.metadata.resourceVersion) <= firstSeen || created(obj) < created(quota);
  }

  private async reconcile(key: string): Promise<void> {
    const quota = this.quotas.get(key);
    if (!quota) return;
    const now = this.ctx.clock.now();
    const namespace = quota.metadata.namespace ?? '';
    const hard = parseResourceList(quota.spec?.hard);
    // What no evaluator counts keeps the usage it has, as in Kubernetes.
    let used: ResourceList = maskResources(parseResourceList(quota.status?.used), Object.keys(hard));
    let recountAt = now.getTime() + this.resyncPeriodMs;
    for (const { evaluator, informer } of this.counted) {
      if (trackedResources(quota, evaluator).length === 0) continue;
      // A stable order keeps the sums' printed form (taken from the first amount) from flapping.
      const objects = informer.byIndex('namespace', namespace).sort(byKey);
      used = { ...used, ...quotaUsage(quota, evaluator, objects, now) };
      if (evaluator.resource.resource === 'pods')
        recountAt = Math.min(recountAt, nextRelease(objects as Pod[], now));
    }
    this.loop.queue.addAfter(key, recountAt - now.getTime());
    const counted = renderResourceList(used);
    const settling = (this.lastCharged.get(key) ?? -Infinity) + this.chargeSettleMs - now.getTime();
    if (settling > 0) {
      // Until then only what holds no charge is written: the limits, and names never counted.
      const recorded = quota.status?.used ?? {};
      for (const name of Object.keys(counted)) if (name in recorded) counted[name] = recorded[name]!;
      this.loop.queue.addAfter(key, settling);
    }
    const status = { hard: renderResourceList(hard), used: counted };
    if (isDeepStrictEqual(status, quota.status)) return;
    try {
      await this.ctx.client.updateStatus(RESOURCE_QUOTAS, { ...quota, status });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
}

/**
 * When the next of `pods` stuck terminating stops being charged: no event marks that moment,
 * so the quota is recounted then.
 */
function nextRelease(pods: Pod[], now: Date): number {
  let next = Infinity;
  for (const pod of pods) {
    const until = podChargedUntil(pod);
    if (until !== undefined && until >= now.getTime()) next = Math.min(next, until + 1);
  }
  return next;
}

/** Whether some usage of `quota` is above what `old` had: a charge, or a recount that found more. */
function usageRose(old: ResourceQuota | undefined, quota: ResourceQuota): boolean {
  const before = parseResourceList(old?.status?.used);
  return Object.entries(parseResourceList(quota.status?.used)).some(
    ([name, q]) => q.cmp(before[name] ?? Quantity.ZERO) > 0,
  );
}

function byKey(a: KubeObject, b: KubeObject): number {
  return objectKey(a).localeCompare(objectKey(b));
}
