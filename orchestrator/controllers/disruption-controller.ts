import { isDeepStrictEqual } from 'node:util';
import type { Informer, ReconcileLoop } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { controllerOf } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import type { Deployment, KubeObject, Pod, PodDisruptionBudget, ReplicaSet } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';
import {
  budgetStatus,
  countHealthy,
  expectedCounts,
  failSafeStatus,
  pendingDisruptions,
  type ExpectedScale,
} from './disruption-status.js';

const BUDGETS = findResource('policy', 'v1', 'poddisruptionbudgets')!;
const PODS = findResource('', 'v1', 'pods')!;
const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;

/**
 * kube-controller-manager's disruption controller: keeps the status of every PodDisruptionBudget,
 * which the Eviction API reads to decide whether a pod may go. For each budget: the pods its
 * selector matches in its namespace (`{}` matches all, null none), how many should exist (the
 * scale of their controllers, a Deployment's for the pods of its ReplicaSets, or the pods there
 * are for a numeric minAvailable), how many must stay healthy (minAvailable, or expected minus
 * maxUnavailable, percents rounded up), how many are healthy (Ready, not terminating, not just
 * evicted), and so `disruptionsAllowed`. Evictions not yet seen through are kept in
 * `status.disruptedPods` until the pod terminates or two minutes pass. A budget whose pods'
 * controllers cannot be found allows nothing (SyncFailed), as upstream's failSafe.
 */
export class DisruptionController implements Controller {
  readonly name = 'disruption';
  private readonly loop: ReconcileLoop;
  private readonly budgets: Informer<PodDisruptionBudget>;
  private readonly pods: Informer<Pod>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly deployments: Informer<Deployment>;

  constructor(private readonly ctx: ControllerContext) {
    this.budgets = ctx.informers.informer<PodDisruptionBudget>(BUDGETS);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.replicaSets = ctx.informers.informer<ReplicaSet>(REPLICASETS);
    this.deployments = ctx.informers.informer<Deployment>(DEPLOYMENTS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    this.budgets.addHandlers({
      add: (pdb) => this.loop.enqueue(pdb),
      update: (_old, pdb) => this.loop.enqueue(pdb),
    });
    this.pods.addHandlers({
      add: (pod) => this.enqueueBudgetsOf(pod),
      update: (old, pod) => {
        this.enqueueBudgetsOf(pod);
        if (!isDeepStrictEqual(old.metadata.labels, pod.metadata.labels)) this.enqueueBudgetsOf(old);
      },
      delete: (pod) => this.enqueueBudgetsOf(pod),
    });
    // A controller's scale is what a maxUnavailable or percent budget expects.
    const scaleChanged = (old: ReplicaSet | Deployment, obj: ReplicaSet | Deployment) => {
      if (old.spec?.replicas !== obj.spec?.replicas) this.enqueueNamespace(obj);
    };
    this.replicaSets.addHandlers({ update: scaleChanged });
    this.deployments.addHandlers({ update: scaleChanged });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private enqueueBudgetsOf(pod: Pod): void {
    for (const pdb of this.budgets.byIndex('namespace', pod.metadata.namespace ?? '')) {
      if (selects(pdb, pod)) this.loop.enqueue(pdb);
    }
  }

  private enqueueNamespace(obj: KubeObject): void {
    for (const pdb of this.budgets.byIndex('namespace', obj.metadata.namespace ?? '')) this.loop.enqueue(pdb);
  }

  private async reconcile(key: string): Promise<void> {
    const pdb = this.budgets.get(key);
    if (!pdb) return;
    const now = this.ctx.clock.now();
    let status;
    let failure: Error | undefined;
    try {
      const pods = this.pods
        .byIndex('namespace', pdb.metadata.namespace ?? '')
        .filter((pod) => selects(pdb, pod));
      if (pods.length === 0) this.ctx.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
      const counts = expectedCounts(pdb, pods, () => this.expectedScale(pods));
      if (counts.unmanaged.length > 0)
        this.ctx.recorder.event(
          pdb,
          'Warning',
          'UnmanagedPods',
          `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
        );
      const { disruptedPods, recheckAt } = pendingDisruptions(pdb, pods, now);
      if (recheckAt !== undefined) this.loop.queue.addAfter(key, recheckAt - now.getTime());
      status = budgetStatus(
        pdb,
        { ...counts, currentHealthy: countHealthy(pods, disruptedPods) },
        disruptedPods,
        now,
      );
    } catch (e) {
      failure = e as Error;
      status = failSafeStatus(pdb, failure.message, now);
    }
    if (!isDeepStrictEqual(status, pdb.status)) {
      try {
        await this.ctx.client.updateStatus(BUDGETS, { ...pdb, status });
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
    }
    if (failure) throw failure;
  }

  /**
   * Upstream's getExpectedScale: the replicas each of the pods' controllers wants, once per
   * controller; the Deployment's for the pods of a ReplicaSet it owns.
   */
  private expectedScale(pods: readonly Pod[]): ExpectedScale {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerOf(pod);
      if (!ref) {
        unmanaged.push(pod.metadata.name!);
        continue;
      }
      const ns = pod.metadata.namespace ?? '';
      const rs =
        ref.kind === 'ReplicaSet' && ref.apiVersion === 'apps/v1'
          ? this.replicaSets.get(`${ns}/${ref.name}`)
          : undefined;
      if (!rs || rs.metadata.uid !== ref.uid)
        throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
      const owner = controllerOf(rs);
      const deployment =
        owner?.kind === 'Deployment' ? this.deployments.get(`${ns}/${owner.name}`) : undefined;
      if (deployment && deployment.metadata.uid === owner!.uid)
        scales.set(deployment.metadata.uid!, deployment.spec.replicas ?? 1);
      else scales.set(rs.metadata.uid!, rs.spec.replicas ?? 1);
    }
    let expected = 0;
    for (const replicas of scales.values()) expected += replicas;
    return { expected, unmanaged };
  }
}

/** Whether the budget's selector covers the pod, as `metav1.LabelSelectorAsSelector`. */
function selects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  try {
    return labelSelectorFromObject(pdb.spec?.selector).matches(pod.metadata.labels ?? {});
  } catch {
    return false;
  }
}
