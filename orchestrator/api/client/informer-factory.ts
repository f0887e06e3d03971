import { setMaxListeners } from 'node:events';
import type { ResourceType } from '../resources.js';
import type { KubeObject } from '../types.js';
import type { ApiClient } from './api-client.js';
import { Informer, type InformerErrorSource } from './informer.js';
import { byNamespace, byNodeName, byOwnerUid } from './object-cache.js';

export interface InformerFactoryOptions {
  resyncMs?: number;
  onError?: (error: unknown, source: InformerErrorSource) => void;
}

/**
 * One informer per resource, shared by every controller of a process (client-go's
 * SharedInformerFactory), so N controllers cost one list and one watch per resource. Every
 * informer carries the namespace, node and owner indexes.
 */
export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(
    private readonly client: ApiClient,
    private readonly options: InformerFactoryOptions = {},
  ) {}

  /** The shared informer of `resource`; one created after start() starts at once. */
  informer<T extends KubeObject = KubeObject>(resource: ResourceType): Informer<T> {
    const key = `${resource.group}/${resource.resource}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer({
        client: this.client,
        resource,
        resyncMs: this.options.resyncMs,
        onError: this.options.onError,
        indexers: { namespace: byNamespace, node: byNodeName, owner: byOwnerUid },
      });
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Resolves true once every informer has listed, false if aborted or stopped first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    // One listener on the caller's signal, however many informers wait on it.
    const scoped = new AbortController();
    setMaxListeners(Infinity, scoped.signal);
    const abort = () => scoped.abort();
    signal?.addEventListener('abort', abort, { once: true });
    if (signal?.aborted) abort();
    try {
      const results = await Promise.all(
        [...this.informers.values()].map((i) => i.waitForSync(scoped.signal)),
      );
      return results.every(Boolean);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  /**
   * Starts the informers, runs `controllers` over them until `signal` aborts, and stops the
   * informers once every controller returned (or one failed): a controller manager's life.
   */
  async runWith(
    controllers: readonly { run(signal: AbortSignal): Promise<void> }[],
    signal: AbortSignal,
  ): Promise<void> {
    this.start();
    try {
      await Promise.all(controllers.map((c) => c.run(signal)));
    } finally {
      await this.stop();
    }
  }
}
