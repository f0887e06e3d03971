import { isDeepStrictEqual } from 'node:util';
import { listAll, type ReconcileLoop, type Informer } from '../api/client/index.js';
import { formatTime } from '../api/clock.js';
import { isApiError } from '../api/errors.js';
import { RESOURCES, findResource, type ResourceType } from '../api/resources.js';
import type { Condition, KubeObject, Namespace } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
/** The entry of spec.finalizers that this controller removes once the namespace is empty. */
export const NAMESPACE_FINALIZER = 'kubernetes';
const NAMESPACED_RESOURCES = RESOURCES.filter((r) => r.namespaced);
const LIST_PAGE_SIZE = 500;
/** Deletions in flight at once for one resource, so a namespace of thousands of objects does not flood the apiserver. */
const DELETE_BATCH = 50;
/** While content remains the namespace is looked at again after this, doubling up to the maximum. */
const REMAINING_INITIAL_DELAY_MS = 100;
const REMAINING_MAX_DELAY_MS = 5_000;

/** What one pass over a namespace's content found and did. */
export interface ContentDeletion {
  /** Objects still present, by resource (`pods`, `deployments.apps`). */
  remaining: Map<string, number>;
  /** Finalizers of the objects still present, with how many objects carry each. */
  finalizers: Map<string, number>;
  /** Failures other than NotFound, one line each. */
  failures: string[];
  /** Whether any delete was sent: a pass that sent none and found nothing proves the namespace empty. */
  deletedAny: boolean;
}

/**
 * Kubernetes' namespace controller: for a Namespace marked for deletion whose spec.finalizers
 * holds `kubernetes`, deletes every namespaced object of every served resource inside it
 * (Background propagation, namespaced URLs only, so nothing outside the namespace is touched),
 * waits with back-off while anything remains (pods in their grace period, objects held by
 * finalizers), reports progress in the namespace's deletion conditions, and finally removes
 * `kubernetes` through the `finalize` subresource so that the apiserver removes the namespace.
 */
export class NamespaceController implements Controller {
  readonly name = 'namespace';
  private readonly loop: ReconcileLoop;
  private readonly namespaces: Informer<Namespace>;
  /** Passes that found content remaining, per namespace: the exponent of its back-off. */
  private readonly waits = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.informer<Namespace>(NAMESPACES);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    this.namespaces.addHandlers({
      add: (ns) => this.enqueueIfTerminating(ns),
      update: (_old, ns) => this.enqueueIfTerminating(ns),
      delete: (ns) => this.waits.delete(ns.metadata.name!),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private enqueueIfTerminating(ns: Namespace): void {
    if (ns.metadata.deletionTimestamp) this.loop.enqueue(ns);
  }

  private async reconcile(name: string): Promise<void> {
    const cached = this.namespaces.get(name);
    if (!cached?.metadata.deletionTimestamp) {
      this.waits.delete(name);
      return;
    }
    // The finalize call replaces spec.finalizers wholesale, so it must start from the live list.
    const ns = await this.ctx.client.tryGet<Namespace>(NAMESPACES, '', name);
    if (!ns?.metadata.deletionTimestamp || !ns.spec?.finalizers?.includes(NAMESPACE_FINALIZER)) {
      this.waits.delete(name);
      return;
    }
    const outcome = await this.deleteContent(name);
    await this.updateConditions(ns, outcome);
    if (outcome.failures.length > 0) {
      throw new NamespaceContentError(name, outcome.failures);
    }
    if (outcome.deletedAny || outcome.remaining.size > 0) {
      // Finalize only after a pass that found nothing: a create admitted just before the
      // namespace began terminating may land after this pass listed its resource.
      if (outcome.remaining.size === 0) return this.loop.enqueue(name);
      const waits = this.waits.get(name) ?? 0;
      this.waits.set(name, waits + 1);
      this.loop.queue.addAfter(
        name,
        Math.min(REMAINING_INITIAL_DELAY_MS * 2 ** waits, REMAINING_MAX_DELAY_MS),
      );
      return;
    }
    await this.finalize(ns);
    this.waits.delete(name);
  }

  /** One pass over every namespaced resource: deletes what is not yet being deleted, counts what remains. */
  private async deleteContent(namespace: string): Promise<ContentDeletion> {
    const outcome: ContentDeletion = {
      remaining: new Map(),
      finalizers: new Map(),
      failures: [],
      deletedAny: false,
    };
    await Promise.all(NAMESPACED_RESOURCES.map((r) => this.deleteResourceContent(r, namespace, outcome)));
    return outcome;
  }

  private async deleteResourceContent(
    r: ResourceType,
    namespace: string,
    outcome: ContentDeletion,
  ): Promise<void> {
    let items: KubeObject[];
    try {
      ({ items } = await listAll(this.ctx.client, r, { namespace, limit: LIST_PAGE_SIZE }));
    } catch (e) {
      outcome.failures.push(`${groupResource(r)}: list: ${(e as Error).message}`);
      return;
    }
    const remain = (obj: KubeObject) => {
      const gr = groupResource(r);
      outcome.remaining.set(gr, (outcome.remaining.get(gr) ?? 0) + 1);
      for (const f of obj.metadata.finalizers ?? [])
        outcome.finalizers.set(f, (outcome.finalizers.get(f) ?? 0) + 1);
    };
    for (let i = 0; i < items.length; i += DELETE_BATCH) {
      await Promise.all(
        items.slice(i, i + DELETE_BATCH).map(async (obj) => {
          if (obj.metadata.deletionTimestamp) return remain(obj);
          outcome.deletedAny = true;
          try {
            const result = await this.ctx.client.delete(r, namespace, obj.metadata.name!, {
              propagationPolicy: 'Background',
              preconditions: { uid: obj.metadata.uid },
            });
            // A Status means the object is gone; the object itself means it is now terminating.
            if (result.kind !== 'Status') remain(result as KubeObject);
          } catch (e) {
            if (isApiError(e, 'NotFound')) return;
            remain(obj);
            outcome.failures.push(`${groupResource(r)} "${obj.metadata.name}": ${(e as Error).message}`);
          }
        }),
      );
    }
  }

  private async updateConditions(ns: Namespace, outcome: ContentDeletion): Promise<void> {
    const previous = ns.status?.conditions ?? [];
    const conditions = namespaceDeletionConditions(outcome, previous, formatTime(this.ctx.clock.now()));
    if (isDeepStrictEqual(conditions, previous)) return;
    try {
      await this.ctx.client.patch(
        NAMESPACES,
        '',
        ns.metadata.name!,
        { status: { conditions } },
        'merge',
        'status',
      );
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  /** PUT namespaces/<name>/finalize with spec.finalizers less `kubernetes`, pinned to the version read. */
  private async finalize(ns: Namespace): Promise<void> {
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
    try {
      await this.ctx.client.updateSubresource(
        NAMESPACES,
        { ...ns, spec: { ...ns.spec, finalizers } },
        'finalize',
      );
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
}

/** A namespace whose content could not all be deleted; the pass is retried with back-off. */
export class NamespaceContentError extends Error {
  readonly code = 'NamespaceDeletionContentFailure';

  constructor(
    readonly namespace: string,
    readonly failures: string[],
  ) {
    super(`namespace ${namespace}: failed to delete content: ${failures.join('; ')}`);
    this.name = 'NamespaceContentError';
  }
}

/** `pods`, `deployments.apps`: how Kubernetes names a resource in messages. */
function groupResource(r: ResourceType): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/**
 * The five deletion conditions Kubernetes' namespace controller reports, from one pass's
 * outcome, after any conditions of other types in `previous`. A condition whose status is
 * unchanged keeps its lastTransitionTime, so an unchanged outcome gives conditions equal to
 * `previous` as this function last wrote them.
 */
export function namespaceDeletionConditions(
  outcome: ContentDeletion,
  previous: readonly Condition[],
  now: string,
): Condition[] {
  const counts = (m: Map<string, number>, what: string) =>
    [...m.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${what} ${n} resource instances`)
      .join(', ');
  const desired: Condition[] = [
    {
      type: 'NamespaceDeletionDiscoveryFailure',
      status: 'False',
      reason: 'ResourcesDiscovered',
      message: 'All resources successfully discovered',
    },
    {
      type: 'NamespaceDeletionGroupVersionParsingFailure',
      status: 'False',
      reason: 'ParsedGroupVersions',
      message: 'All legacy kube types successfully parsed',
    },
    outcome.failures.length > 0
      ? {
          type: 'NamespaceDeletionContentFailure',
          status: 'True',
          reason: 'ContentDeletionFailed',
          message: `Failed to delete all resource types, ${outcome.failures.length} remaining: ${outcome.failures.join(', ')}`,
        }
      : {
          type: 'NamespaceDeletionContentFailure',
          status: 'False',
          reason: 'ContentDeleted',
          message: 'All content successfully deleted, may be waiting on finalization',
        },
    outcome.remaining.size > 0
      ? {
          type: 'NamespaceContentRemaining',
          status: 'True',
          reason: 'SomeResourcesRemain',
          message: `Some resources are remaining: ${counts(outcome.remaining, 'has')}`,
        }
      : {
          type: 'NamespaceContentRemaining',
          status: 'False',
          reason: 'ContentRemoved',
          message: 'All content successfully removed',
        },
    outcome.finalizers.size > 0
      ? {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${counts(outcome.finalizers, 'in')}`,
        }
      : {
          type: 'NamespaceFinalizersRemaining',
          status: 'False',
          reason: 'ContentHasNoFinalizers',
          message: 'All content-preserving finalizers finished',
        },
  ];
  const ours = new Set(desired.map((c) => c.type));
  const stamped = desired.map((want): Condition => {
    const had = previous.find((c) => c.type === want.type);
    return {
      ...want,
      lastTransitionTime: had?.status === want.status ? (had.lastTransitionTime ?? now) : now,
    };
  });
  return [...previous.filter((c) => !ours.has(c.type)), ...stamped];
}
