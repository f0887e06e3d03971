import { isDeepStrictEqual } from 'node:util';
import { type ReconcileLoop, objectKey, type Informer } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { controllerOf, controllerOwnerReference, isPodAvailable, isPodReady } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import { labelSelectorFromObject } from '../api/selectors/index.js';
import type { DaemonSet, DaemonSetStatus, Node, Pod } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';
import { adopt, release } from './controller-ref.js';
import { daemonPodSpec, nodeShouldRunDaemonPod, targetNode } from './daemonset-nodes.js';
import { Expectations } from './expectations.js';
import { computePodTemplateHash } from './pod-template-hash.js';
import { REVISION_LABEL } from './statefulset-identity.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const DAEMONSETS = findResource('apps', 'v1', 'daemonsets')!;
/** The (deprecated upstream, still set) label with the generation of the template a pod was made from. */
const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

const isTerminating = (pod: Pod) => Boolean(pod.metadata.deletionTimestamp);
const byAge = (a: Pod, b: Pod) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

/**
 * Kubernetes' DaemonSet controller: one pod on every node that should run it (nodeSelector,
 * required node affinity, taints and tolerations — daemon pods tolerate a node's not-ready,
 * unreachable, pressure and cordon taints), made as nodes come, removed as they stop qualifying
 * (a NoExecute taint, a label change); pods are pinned to their node by a `metadata.name` affinity
 * term and bound by the scheduler. RollingUpdate replaces old pods within maxUnavailable (old
 * pods that are unavailable first); OnDelete only when they are deleted. Expectations keep a
 * lagging cache from acting twice. Pods left bound to a deleted Node are podgc's to remove.
 */
export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  private readonly loop: ReconcileLoop;
  private readonly sets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly expectations: Expectations;

  constructor(private readonly ctx: ControllerContext) {
    this.expectations = new Expectations(ctx.clock);
    this.sets = ctx.informers.informer<DaemonSet>(DAEMONSETS);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.nodes = ctx.informers.informer<Node>(NODES);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    this.sets.addHandlers({
      add: (ds) => this.loop.enqueue(ds),
      update: (_old, ds) => this.loop.enqueue(ds),
      delete: (ds) => {
        this.expectations.forget(objectKey(ds));
        this.loop.enqueue(ds);
      },
    });
    this.pods.addHandlers({
      add: (pod) => {
        const owner = this.ownerKey(pod);
        if (owner) this.expectations.creationObserved(owner);
        this.enqueueFor(pod);
      },
      update: (old, pod) => {
        if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
          const owner = this.ownerKey(pod);
          if (owner) this.expectations.deletionObserved(owner, objectKey(pod));
        }
        this.enqueueFor(pod);
        if (
          !isDeepStrictEqual(old.metadata.labels, pod.metadata.labels) ||
          controllerOf(old)?.uid !== controllerOf(pod)?.uid
        ) {
          this.enqueueFor(old);
        }
      },
      delete: (pod) => {
        const owner = this.ownerKey(pod);
        if (owner) this.expectations.deletionObserved(owner, objectKey(pod));
        this.enqueueFor(pod);
      },
    });
    // What decides where daemons run: a node's existence, labels, taints and readiness.
    const relevant = (n: Node) => [
      n.metadata.labels,
      n.spec?.taints,
      n.spec?.unschedulable,
      n.status?.conditions?.find((c) => c.type === 'Ready')?.status,
    ];
    this.nodes.addHandlers({
      add: () => this.enqueueAll(),
      update: (old, node) => {
        if (!isDeepStrictEqual(relevant(old), relevant(node))) this.enqueueAll();
      },
      delete: () => this.enqueueAll(),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await this.loop.run(signal);
  }

  private ownerKey(pod: Pod): string | undefined {
    const ref = controllerOf(pod);
    return ref?.kind === 'DaemonSet' ? `${pod.metadata.namespace}/${ref.name}` : undefined;
  }

  private enqueueAll(): void {
    for (const ds of this.sets.list()) this.loop.enqueue(ds);
  }

  private enqueueFor(pod: Pod): void {
    const owner = this.ownerKey(pod);
    if (owner) return this.loop.enqueue(owner);
    if (controllerOf(pod)) return;
    for (const ds of this.sets.byIndex('namespace', pod.metadata.namespace ?? '')) {
      if (labelSelectorFromObject(ds.spec.selector).matches(pod.metadata.labels)) this.loop.enqueue(ds);
    }
  }

  private async reconcile(key: string): Promise<void> {
    const ds = this.sets.get(key);
    if (!ds) {
      this.expectations.forget(key);
      return;
    }
    const pods = await this.claimPods(ds);
    if (ds.metadata.deletionTimestamp) return;
    const hash = computePodTemplateHash(ds.spec.template, ds.status?.collisionCount ?? 0);
    if (this.expectations.satisfied(key)) await this.sync(ds, pods, hash);
    await this.updateStatus(ds, pods, hash);
  }

  private async claimPods(ds: DaemonSet): Promise<Pod[]> {
    const selector = labelSelectorFromObject(ds.spec.selector);
    const owned: Pod[] = [];
    for (const pod of this.pods.byIndex('namespace', ds.metadata.namespace ?? '')) {
      const ref = controllerOf(pod);
      const matches = selector.matches(pod.metadata.labels);
      if (ref?.uid === ds.metadata.uid) {
        if (matches) owned.push(pod);
        else await release(this.ctx.client, PODS, pod, ds.metadata.uid!);
      } else if (!ref && matches && !ds.metadata.deletionTimestamp && !isTerminating(pod)) {
        const live = await this.ctx.client.tryGet<DaemonSet>(
          DAEMONSETS,
          ds.metadata.namespace!,
          ds.metadata.name!,
        );
        if (!live || live.metadata.uid !== ds.metadata.uid || live.metadata.deletionTimestamp) continue;
        if (await adopt(this.ctx.client, PODS, pod, controllerOwnerReference(ds, DAEMONSETS)))
          owned.push(pod);
      }
    }
    return owned;
  }

  /** The set's live (not terminating) pods by the node they are for, oldest first. */
  private podsByNode(pods: Pod[]): Map<string, Pod[]> {
    const byNode = new Map<string, Pod[]>();
    for (const pod of [...pods].sort(byAge)) {
      const node = targetNode(pod);
      if (!node || isTerminating(pod)) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    return byNode;
  }

  /**
   * Kubernetes' manage and rollingUpdate in one pass: which nodes need a pod, which pods must go
   * (failed, surplus, on a node that no longer qualifies, for no existing node, or old within the
   * update budget).
   */
  private async sync(ds: DaemonSet, pods: Pod[], hash: string): Promise<void> {
    const byNode = this.podsByNode(pods);
    const nodes = this.nodes.list();
    const create: string[] = [];
    const remove: Pod[] = [];
    const rolling = (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    let unavailable = 0;
    const oldAvailable: Pod[] = [];
    const now = this.ctx.clock.now().getTime();
    for (const node of nodes) {
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(ds, node);
      const here = byNode.get(node.metadata.name!) ?? [];
      // A failed daemon pod is deleted, to be made again (upstream backs off between such rounds).
      const failed = here.filter((p) => p.status?.phase === 'Failed');
      remove.push(...failed);
      const running = here.filter((p) => p.status?.phase !== 'Failed');
      if (!shouldContinueRunning) {
        remove.push(...running);
        continue;
      }
      if (shouldRun && running.length === 0) {
        create.push(node.metadata.name!);
        unavailable++;
        continue;
      }
      if (running.length > 1) remove.push(...running.slice(1));
      const pod = running[0];
      if (!pod || !shouldRun || !rolling) continue;
      const available = isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now);
      const old = pod.metadata.labels?.[REVISION_LABEL] !== hash;
      if (!available) {
        unavailable++;
        if (old) remove.push(pod);
      } else if (old) oldAvailable.push(pod);
    }
    // Pods for nodes that do not exist (never bound, so podgc does not see them).
    const known = new Set(nodes.map((n) => n.metadata.name!));
    for (const [node, here] of byNode) {
      if (!known.has(node)) remove.push(...here.filter((p) => !p.spec.nodeName));
    }
    if (rolling) {
      const budget = this.maxUnavailable(ds, nodes) - unavailable;
      remove.push(...oldAvailable.slice(0, Math.max(0, budget)));
    }
    if (!create.length && !remove.length) return;
    await this.apply(ds, create, remove, hash);
  }

  /** maxUnavailable resolved against the number of nodes that should run the daemon (rounded up). */
  private maxUnavailable(ds: DaemonSet, nodes: Node[]): number {
    const value = ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
    if (typeof value === 'number') return Math.max(1, value);
    const desired = nodes.filter((n) => nodeShouldRunDaemonPod(ds, n).shouldRun).length;
    return Math.max(1, Math.ceil((desired * Number(value.replace('%', ''))) / 100));
  }

  private async apply(ds: DaemonSet, create: string[], remove: Pod[], hash: string): Promise<void> {
    const key = objectKey(ds);
    this.expectations.expect(key, create.length, remove.map(objectKey));
    const owner = controllerOwnerReference(ds, DAEMONSETS);
    const template = ds.spec.template;
    const created = await Promise.allSettled(
      create.map((node) =>
        this.ctx.client.create<Pod>(PODS, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            generateName: `${ds.metadata.name}-`,
            namespace: ds.metadata.namespace,
            labels: {
              ...template.metadata?.labels,
              [REVISION_LABEL]: hash,
              [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1),
            },
            ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
            ownerReferences: [owner],
          },
          spec: daemonPodSpec(template.spec, node),
        }),
      ),
    );
    const deleted = await Promise.allSettled(
      remove.map((pod) =>
        this.ctx.client.delete(PODS, pod.metadata.namespace!, pod.metadata.name!, {
          preconditions: { uid: pod.metadata.uid },
        }),
      ),
    );
    let failure: unknown;
    created.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        this.ctx.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
        return;
      }
      this.expectations.creationObserved(key);
      failure ??= r.reason;
      this.ctx.recorder.event(
        ds,
        'Warning',
        'FailedCreate',
        `Error creating: ${(r.reason as Error).message} (node ${create[i]})`,
      );
    });
    deleted.forEach((r, i) => {
      const pod = remove[i]!;
      if (r.status === 'fulfilled') {
        this.ctx.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        return;
      }
      this.expectations.deletionObserved(key, objectKey(pod));
      if (!isApiError(r.reason, 'NotFound')) failure ??= r.reason;
    });
    if (failure) throw failure;
  }

  /** Kubernetes' updateDaemonSetStatus: counts per node that should run the daemon. */
  private async updateStatus(ds: DaemonSet, pods: Pod[], hash: string): Promise<void> {
    const byNode = this.podsByNode(pods);
    const now = this.ctx.clock.now().getTime();
    const minReady = ds.spec.minReadySeconds ?? 0;
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    for (const node of this.nodes.list()) {
      const { shouldRun } = nodeShouldRunDaemonPod(ds, node);
      const here = byNode.get(node.metadata.name!) ?? [];
      if (!shouldRun) {
        if (here.some((p) => p.spec.nodeName)) misscheduled++;
        continue;
      }
      desired++;
      if (!here.length) continue;
      current++;
      const oldest = here[0]!;
      if (isPodReady(oldest)) ready++;
      if (isPodAvailable(oldest, minReady, now)) available++;
      if (here.some((p) => p.metadata.labels?.[REVISION_LABEL] === hash)) updated++;
    }
    const status: DaemonSetStatus = {
      ...ds.status,
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      numberAvailable: available,
      numberUnavailable: desired - available,
      updatedNumberScheduled: updated,
      observedGeneration: ds.metadata.generation,
    };
    if (!status.numberAvailable) delete status.numberAvailable;
    if (!status.numberUnavailable) delete status.numberUnavailable;
    if (!status.updatedNumberScheduled) delete status.updatedNumberScheduled;
    if (isDeepStrictEqual(status, ds.status)) return;
    try {
      await this.ctx.client.updateStatus(DAEMONSETS, { ...ds, status });
    } catch (e) {
      // A Conflict is thrown on: the loop tries again (with back-off) from a fresher cache.
      if (!isApiError(e, 'NotFound')) throw e;
    }
    if (minReady && ready !== available) this.loop.queue.addAfter(objectKey(ds), minReady * 1000);
  }
}
