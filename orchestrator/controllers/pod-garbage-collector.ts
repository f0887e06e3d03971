import { type Informer, type ReconcileLoop } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { Node, Pod } from '../api/types.js';
import { reconcileLoop, type Controller, type ControllerContext } from './controller.js';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;

/**
 * Pod garbage collection, as kube-controller-manager's podgc: a pod bound to a Node that does not
 * exist (the cloud deleted it, or an admin did) has no kubelet to stop it, so it is force-deleted
 * (grace 0) and its controller replaces it. The node's absence is confirmed with the apiserver
 * first, so a lagging cache never costs a pod.
 */
export class PodGarbageCollector implements Controller {
  readonly name = 'podgc';
  private readonly loop: ReconcileLoop;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.informer<Node>(NODES);
    this.pods = ctx.informers.informer<Pod>(PODS);
    this.loop = reconcileLoop(ctx, this.name, (key) => this.reconcile(key));
    this.nodes.addHandlers({
      delete: (node) => {
        for (const pod of this.pods.byIndex('node', node.metadata.name!)) this.loop.enqueue(pod);
      },
    });
    this.pods.addHandlers({
      add: (pod) => this.enqueueIfOrphan(pod),
      update: (_o, pod) => this.enqueueIfOrphan(pod),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    for (const pod of this.pods.list()) this.enqueueIfOrphan(pod);
    await this.loop.run(signal);
  }

  private enqueueIfOrphan(pod: Pod): void {
    const node = pod.spec?.nodeName;
    if (node && !this.nodes.get(node)) this.loop.enqueue(pod);
  }

  private async reconcile(key: string): Promise<void> {
    const pod = this.pods.get(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || this.nodes.get(nodeName)) return;
    if (await this.ctx.client.tryGet(NODES, '', nodeName)) return;
    this.ctx.log.info(
      { controller: this.name, pod: key, node: nodeName },
      'deleting pod of a node that no longer exists',
    );
    try {
      await this.ctx.client.delete(PODS, pod.metadata.namespace!, pod.metadata.name!, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (e) {
      if (!isApiError(e, 'NotFound') && !isApiError(e, 'Conflict')) throw e;
    }
  }
}
