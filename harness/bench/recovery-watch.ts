import { Informer, type ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { Node, Pod } from '../../orchestrator/api/types.js';
import type { EchoApp } from './echo-app.js';
import type { RecoveryTimeline } from './recovery-timeline.js';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;

/**
 * Informers on the nodes and the app's pods, telling the timeline being followed of every change
 * the moment its watch event arrives, and counting the times a node that was not killed stopped
 * being Ready (a flap: the node lifecycle controller lost patience with a live node).
 */
export class RecoveryWatch {
  private timeline: RecoveryTimeline | undefined;
  private flaps = 0;

  private constructor(
    readonly nodes: Informer<Node>,
    readonly pods: Informer<Pod>,
    lostNode: string,
  ) {
    const seeNode = (node: Node) => this.timeline?.observeNode(node, performance.now());
    const seePods = () => this.timeline?.observePods(this.pods.list(), performance.now());
    nodes.addHandlers({
      add: seeNode,
      update: (old, node) => {
        if (node.metadata.name !== lostNode && isReady(old) && !isReady(node)) this.flaps++;
        seeNode(node);
      },
    });
    pods.addHandlers({ add: seePods, update: seePods, delete: seePods });
  }

  /** Starts watching and waits until both informers have listed. */
  static async start(client: ApiClient, app: EchoApp, lostNode: string): Promise<RecoveryWatch> {
    const watch = new RecoveryWatch(
      new Informer<Node>({ client, resource: NODES }),
      new Informer<Pod>({
        client,
        resource: PODS,
        namespace: app.namespace,
        labelSelector: app.labelSelector,
      }),
      lostNode,
    );
    watch.nodes.start();
    watch.pods.start();
    await Promise.all([watch.nodes.waitForSync(), watch.pods.waitForSync()]);
    return watch;
  }

  follow(timeline: RecoveryTimeline | undefined): void {
    this.timeline = timeline;
  }

  /** Ready → not Ready transitions of the nodes that were never killed, since the start. */
  get liveNodeFlaps(): number {
    return this.flaps;
  }

  async stop(): Promise<void> {
    await Promise.all([this.nodes.stop(), this.pods.stop()]);
  }
}

export function isReady(node: Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
