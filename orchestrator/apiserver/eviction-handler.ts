import { formatTime, type Clock } from '../api/clock.js';
import { ApiError, errors } from '../api/errors.js';
import { isPodReady } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import type {
  Eviction,
  KubeObject,
  Pod,
  PodDisruptionBudget,
  PodDisruptionBudgetStatus,
} from '../api/types.js';
import { decodeBody, readBody, writeJson } from './http-io.js';
import type { NodeRestriction } from './node-restriction.js';
import type { DeleteOptions, ObjectStore } from './object-store.js';
import type { RequestContext } from './request-context.js';

const PODS = findResource('', 'v1', 'pods')!;
const BUDGETS = findResource('policy', 'v1', 'poddisruptionbudgets')!;
/** Upstream's message, which kubectl drain prints while it waits. */
export const EVICTION_REFUSED_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";
/** Evictions the disruption controller has not yet confirmed, past which a budget takes no more. */
const MAX_DISRUPTED_PODS = 2000;
const EVICTION_API_VERSIONS = new Set(['policy/v1', 'policy/v1beta1']);

/**
 * The Eviction API (`POST /api/v1/namespaces/{ns}/pods/{name}/eviction`, a policy/v1 Eviction), as
 * kube-apiserver's eviction REST: deletes the pod unless that would break its PodDisruptionBudget.
 *
 * - A pod that is Pending, finished (Succeeded or Failed) or already terminating disrupts nothing
 *   more: it is deleted without asking its budget.
 * - A pod covered by no budget is deleted; one covered by more than one is refused (500), as
 *   upstream, which cannot choose.
 * - A pod that is not Ready is deleted without spending the budget when the budget allows it
 *   (`unhealthyPodEvictionPolicy: AlwaysAllow`, or the default `IfHealthyBudget` while the budget
 *   has its desired healthy pods): it already counts as disrupted.
 * - Otherwise the budget must allow a disruption: its status must be up to date with its spec
 *   (observedGeneration) and show `disruptionsAllowed` > 0, else 429 TooManyRequests. The
 *   eviction then takes one (a compare-and-swap on the budget's status, so two evictions cannot
 *   spend the same one) and records the pod in `status.disruptedPods`, so the disruption controller
 *   does not count it healthy while it terminates, before deleting the pod.
 *
 * Answers 201 with a Success Status.
 */
export class EvictionHandler {
  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly nodeRestriction?: NodeRestriction,
  ) {}

  async handle(ctx: RequestContext, dryRun: boolean): Promise<void> {
    const { info, user } = ctx;
    const eviction = parseEviction(decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']));
    if (eviction.metadata?.name && eviction.metadata.name !== info.name)
      throw errors.badRequest('name in URL does not match name in Eviction object');
    const dry = dryRun || (eviction.deleteOptions?.dryRun ?? []).includes('All');
    const opts = deleteOptionsOf(eviction);
    const pod = (await this.store.get(PODS, info.namespace, info.name)) as Pod;
    const budget = canIgnoreBudget(pod) ? undefined : await this.budgetOf(pod);
    if (budget && !this.unhealthyMayGo(pod, budget)) await this.spend(budget, pod, dry);
    else if (budget)
      // Deleted only as the unready pod it was judged to be, as upstream's resourceVersion precondition.
      opts.preconditions = {
        uid: opts.preconditions?.uid ?? pod.metadata.uid,
        resourceVersion: opts.preconditions?.resourceVersion ?? pod.metadata.resourceVersion,
      };
    if (!dry) {
      await this.store.delete(PODS, info.namespace, info.name, opts, ctx.signal, (live) =>
        this.nodeRestriction?.admitDelete(user, PODS, live),
      );
    }
    writeJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  /** The one budget whose selector matches the pod, if any. */
  private async budgetOf(pod: Pod): Promise<PodDisruptionBudget | undefined> {
    const page = await this.store.list(BUDGETS, pod.metadata.namespace ?? '');
    const matching = (page.items as PodDisruptionBudget[]).filter((pdb) => {
      let selector;
      try {
        selector = labelSelectorFromObject(pdb.spec?.selector);
      } catch {
        return false; // An invalid selector matches nothing.
      }
      // Upstream: a budget with a null or empty selector that crept in matches nothing here.
      return (
        !selector.matchesEverything && !selector.matchesNothing && selector.matches(pod.metadata.labels ?? {})
      );
    });
    if (matching.length > 1)
      throw errors.internal(
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      );
    return matching[0];
  }

  /** Whether a pod that is not Ready goes without spending the budget. */
  private unhealthyMayGo(pod: Pod, budget: PodDisruptionBudget): boolean {
    if (isPodReady(pod)) return false;
    if (budget.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
    const status = budget.status;
    return !!status && status.desiredHealthy > 0 && status.currentHealthy >= status.desiredHealthy;
  }

  /** Takes one disruption from the budget, or refuses (429) when it has none to give. */
  private async spend(budget: PodDisruptionBudget, pod: Pod, dryRun: boolean): Promise<void> {
    const name = budget.metadata.name!;
    const decrement = (live: KubeObject): KubeObject => {
      const pdb = live as PodDisruptionBudget;
      const status: PodDisruptionBudgetStatus = pdb.status ?? {
        disruptionsAllowed: 0,
        currentHealthy: 0,
        desiredHealthy: 0,
        expectedPods: 0,
      };
      if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0))
        throw refused(name, `The disruption budget ${name} is still being processed by the server.`);
      if (status.disruptionsAllowed < 0)
        throw errors.forbidden(
          `poddisruptionbudgets.policy "${name}" is forbidden: pdb disruptions allowed is negative`,
        );
      if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS)
        throw errors.forbidden(
          `poddisruptionbudgets.policy "${name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`,
        );
      if (status.disruptionsAllowed === 0)
        throw refused(
          name,
          `The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
        );
      const now = formatTime(this.clock.now());
      const disruptionsAllowed = status.disruptionsAllowed - 1;
      return {
        ...pdb,
        status: {
          ...status,
          disruptionsAllowed,
          disruptedPods: { ...status.disruptedPods, [pod.metadata.name!]: now },
          conditions: disruptionsAllowed === 0 ? insufficientPods(status.conditions, now) : status.conditions,
        },
      };
    };
    if (dryRun) {
      decrement(await this.store.get(BUDGETS, budget.metadata.namespace ?? '', name));
      return;
    }
    await this.store.update(BUDGETS, budget.metadata.namespace ?? '', name, 'status', decrement);
  }
}

/** Upstream's canIgnorePDB: a pod that is not running yet, has finished or is already going. */
function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return (
    phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp
  );
}

function refused(budget: string, cause: string): ApiError {
  return new ApiError('TooManyRequests', EVICTION_REFUSED_MESSAGE, {
    name: budget,
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });
}

/** The DisruptionAllowed condition as the eviction that spent the last disruption leaves it. */
function insufficientPods(conditions: PodDisruptionBudgetStatus['conditions'], now: string) {
  const others = (conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed');
  const previous = conditions?.find((c) => c.type === 'DisruptionAllowed');
  return [
    ...others,
    {
      type: 'DisruptionAllowed',
      status: 'False' as const,
      reason: 'InsufficientPods',
      message: '',
      lastTransitionTime: previous?.status === 'False' ? previous.lastTransitionTime : now,
    },
  ];
}

function parseEviction(body: unknown): Eviction {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw errors.badRequest('the request body must be an Eviction object');
  const eviction = body as Eviction;
  if (eviction.kind !== undefined && eviction.kind !== 'Eviction')
    throw errors.badRequest(
      `the kind in the data (${String(eviction.kind)}) does not match the expected kind (Eviction)`,
    );
  if (eviction.apiVersion !== undefined && !EVICTION_API_VERSIONS.has(eviction.apiVersion))
    throw errors.badRequest(
      `the API version in the data (${String(eviction.apiVersion)}) does not match the expected API version (policy/v1)`,
    );
  return eviction;
}

function deleteOptionsOf(eviction: Eviction): DeleteOptions {
  const given = eviction.deleteOptions ?? {};
  const grace = given.gracePeriodSeconds;
  if (grace !== undefined && grace !== null && !Number.isInteger(grace))
    throw errors.badRequest(`deleteOptions.gracePeriodSeconds: invalid value ${String(grace)}`);
  return {
    gracePeriodSeconds: grace ?? undefined,
    propagationPolicy: given.propagationPolicy ?? undefined,
    preconditions: given.preconditions ?? undefined,
  };
}
