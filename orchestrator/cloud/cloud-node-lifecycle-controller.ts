import { type Informer } from '../api/client/index.js';
import { runEvery, systemTimers } from '../api/client/timer-scheduler.js';
import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import { isSimulatedNode } from '../api/simulated-nodes.js';
import type { Node } from '../api/types.js';
import type { CloudContext } from './cloud-context.js';

const NODES = findResource('', 'v1', 'nodes')!;

/**
 * The cloud node lifecycle controller: every period it asks the cloud whether each node's machine
 * still exists, and deletes the Node of one that is gone (killed, exited, removed) at once, rather
 * than waiting for its Lease to expire; the pod garbage collector then removes its pods, and their
 * controllers replace them. A paused machine, or one the cloud cannot answer for, is left to the
 * node lifecycle controller. Simulated nodes have no machine of their own and are never asked about.
 */
export class CloudNodeLifecycleController {
  readonly name = 'cloud-node-lifecycle';
  private readonly nodes: Informer<Node>;

  constructor(private readonly ctx: CloudContext) {
    this.nodes = ctx.informers.informer<Node>(NODES);
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.ctx.informers.waitForSync(signal))) return;
    await runEvery(
      systemTimers,
      this.ctx.nodeMonitorPeriodMs,
      signal,
      () => this.monitor(),
      (e) => this.ctx.log.warn({ controller: this.name, err: e.message }, 'instance check failed'),
    );
  }

  /** One pass: deletes the Nodes whose instance is gone; returns their names. */
  async monitor(): Promise<string[]> {
    const nodes = this.nodes.list().filter((n) => !isSimulatedNode(n));
    if (nodes.length === 0) return [];
    const states = await this.ctx.cloud.instances.states(nodes.map((n) => n.metadata.name!));
    const deleted: string[] = [];
    for (const node of nodes) {
      if (states.get(node.metadata.name!) !== 'gone') continue;
      this.ctx.log.info({ node: node.metadata.name }, 'instance is gone: deleting its Node');
      this.ctx.recorder.event(
        node,
        'Normal',
        'DeletingNode',
        `Deleting node ${node.metadata.name} because it does not exist in the cloud provider`,
      );
      try {
        await this.ctx.client.delete(NODES, '', node.metadata.name!, {
          preconditions: { uid: node.metadata.uid },
        });
        deleted.push(node.metadata.name!);
      } catch (e) {
        if (!isApiError(e, 'NotFound') && !isApiError(e, 'Conflict')) throw e;
      }
    }
    return deleted;
  }
}
