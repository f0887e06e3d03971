import { ApiError } from '../errors.js';
import type { ResourceType } from '../resources.js';
import type { KubeObject, WatchEvent } from '../types.js';
import { listAll, type ApiClient } from './api-client.js';
import { ObjectCache, deepFreeze, objectKey, type CacheReader, type IndexFunc } from './object-cache.js';
import { sleep, systemTimers, type TimerScheduler } from './timer-scheduler.js';

/** What an informer needs of a client: list and watch. */
export type InformerClient = Pick<ApiClient, 'list' | 'watch'>;

/**
 * Callbacks of an informer, called synchronously in event order after the cache has changed.
 * Objects are frozen. As in client-go, handlers should only enqueue keys.
 */
export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T): void;
  /** Also called with `oldObj === newObj` on each periodic resync. */
  update?(oldObj: T, newObj: T): void;
  /** With the object's last known state. */
  delete?(obj: T): void;
}

/** Where a reported error came from: a handler, an index function, or the list/watch calls. */
export type InformerErrorSource = 'handler' | 'index' | 'list' | 'watch';

export interface InformerOptions<T extends KubeObject> {
  client: InformerClient;
  resource: ResourceType;
  /** Only this namespace; all namespaces when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Every this many ms, `update(obj, obj)` for every cached object; off when absent or 0. */
  resyncMs?: number;
  indexers?: Record<string, IndexFunc<T>>;
  /** Items per list page. Default 500. */
  pageSize?: number;
  /** Asks the server to end each watch after this long, so watches rebalance. Default 300. */
  watchTimeoutSeconds?: number;
  /** Back-off after a failed list or watch: starts here and doubles. Default 100 ms. */
  backoffInitialMs?: number;
  /** Ceiling of that back-off. Default 2 s. */
  backoffMaxMs?: number;
  timers?: TimerScheduler;
  /**
   * Told of every error the informer survives: a throwing handler or index function, a failed
   * list or watch (which are retried). Default: written to stderr.
   */
  onError?: (error: unknown, source: InformerErrorSource) => void;
}

/**
 * A watch that ends normally sooner than this without delivering anything counts as a failure
 * for back-off, so a server that closes every watch at once is not hammered.
 */
const MIN_HEALTHY_WATCH_MS = 1000;

/**
 * client-go's shared informer: lists (in pages), then watches from the list's resourceVersion
 * with bookmarks, keeping an indexed cache of frozen objects and telling handlers what changed.
 * A watch that ends is resumed from the last resourceVersion seen; 410 Gone relists, and the
 * relist tells handlers the difference (adds, updates, deletes with the last known state); other
 * failures are retried with a capped exponential back-off. An event whose resourceVersion the
 * cache already holds is not delivered again. Handler exceptions are reported, never fatal.
 */
export class Informer<T extends KubeObject = KubeObject> implements CacheReader<T> {
  private readonly cache: ObjectCache<T>;
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly timers: TimerScheduler;
  private readonly abort = new AbortController();
  private readonly syncWaiters = new Set<(synced: boolean) => void>();
  private state: 'new' | 'running' | 'stopped' = 'new';
  private synced = false;
  private resourceVersion = '';
  private loop?: Promise<void>;
  private resyncHandle?: unknown;
  private watchDelivered = false;

  constructor(private readonly options: InformerOptions<T>) {
    this.cache = new ObjectCache<T>(options.indexers);
    this.timers = options.timers ?? systemTimers;
    if (options.pageSize !== undefined && !(options.pageSize > 0))
      throw new RangeError('Informer pageSize must be positive');
  }

  /**
   * Registers handlers; returns a function that unregisters them. Handlers added after the
   * initial sync are first told `add` of every cached object, so late handlers miss nothing.
   */
  addHandlers(handlers: InformerHandlers<T>): () => void {
    this.handlers.push(handlers);
    if (this.synced) for (const obj of this.cache.list()) this.call(() => handlers.add?.(obj));
    return () => {
      const i = this.handlers.indexOf(handlers);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** Starts listing and watching in the background. An informer runs once: later calls do nothing. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.loop = this.run();
    this.scheduleResync();
  }

  /** Stops watching and resolves once the informer is idle. Safe to call twice; the cache stays readable. */
  async stop(): Promise<void> {
    if (this.state !== 'stopped') {
      this.state = 'stopped';
      this.abort.abort();
      if (this.resyncHandle !== undefined) this.timers.clearTimeout(this.resyncHandle);
      for (const waiter of [...this.syncWaiters]) waiter(false);
    }
    await this.loop;
  }

  /** Whether the first list has been stored in the cache (and handlers told of it). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced; false if `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.state === 'stopped' || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (synced: boolean) => {
        this.syncWaiters.delete(finish);
        signal?.removeEventListener('abort', onAbort);
        resolve(synced);
      };
      const onAbort = () => finish(false);
      this.syncWaiters.add(finish);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The resourceVersion the cache is current to ('' before the first list). */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return this.cache.list();
  }

  keys(): string[] {
    return this.cache.keys();
  }

  byIndex(index: string, value: string): T[] {
    return this.cache.byIndex(index, value);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const initialDelay = this.options.backoffInitialMs ?? 100;
    const maxDelay = this.options.backoffMaxMs ?? 2000;
    let delay = initialDelay;
    let needList = true;
    const backOff = async () => {
      await sleep(this.timers, delay, this.abort.signal);
      delay = Math.min(maxDelay, delay * 2);
    };
    while (!this.stopped) {
      let listing = needList;
      try {
        if (needList) {
          await this.listAndReplace();
          needList = false;
          listing = false;
        }
        const opened = this.timers.now();
        this.watchDelivered = false;
        await this.watch();
        if (this.stopped) break;
        if (this.watchDelivered || this.timers.now() - opened >= MIN_HEALTHY_WATCH_MS) delay = initialDelay;
        else await backOff();
      } catch (e) {
        if (this.stopped) break;
        if (!listing && isGone(e)) {
          needList = true;
          continue;
        }
        this.report(e, listing ? 'list' : 'watch');
        await backOff();
      }
    }
  }

  private async listAndReplace(): Promise<void> {
    const { client, resource, namespace, labelSelector, fieldSelector, pageSize = 500 } = this.options;
    const list = (limit: number | undefined) =>
      this.unlessStopped(
        listAll<T>(client, resource, {
          namespace,
          labelSelector,
          fieldSelector,
          limit,
          signal: this.abort.signal,
        }),
      );
    let listed: { items: T[]; resourceVersion: string };
    try {
      listed = await list(pageSize);
    } catch (e) {
      // A continue token outlived by a compaction: read everything in one consistent request.
      if (!isGone(e) || this.stopped) throw e;
      listed = await list(undefined);
    }
    if (this.stopped) return;
    this.replace(listed.items, listed.resourceVersion);
  }

  private replace(items: T[], resourceVersion: string): void {
    const listed = new Set<string>();
    for (const obj of items) {
      listed.add(objectKey(obj));
      this.store(obj);
    }
    for (const key of this.cache.keys()) {
      if (listed.has(key)) continue;
      const last = this.cache.delete(key)!;
      this.emit((h) => h.delete?.(last));
    }
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const waiter of [...this.syncWaiters]) waiter(true);
    }
  }

  private async watch(): Promise<void> {
    const { client, resource, namespace = '', labelSelector, fieldSelector } = this.options;
    await client.watch<T>(
      resource,
      namespace,
      {
        labelSelector,
        fieldSelector,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
      },
      (ev) => this.onWatchEvent(ev),
      this.abort.signal,
    );
  }

  private onWatchEvent(ev: WatchEvent<T>): void {
    if (this.stopped) return;
    const obj = ev.object as T;
    if (!obj?.metadata) return;
    this.watchDelivered = true;
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.store(obj);
    else if (ev.type === 'DELETED') this.remove(obj);
    if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
  }

  /** Caches `obj` and tells handlers, unless the cache already holds this resourceVersion. */
  private store(obj: T): void {
    let previous: T | undefined;
    try {
      previous = this.cache.get(objectKey(obj));
      if (previous && previous.metadata.resourceVersion === obj.metadata.resourceVersion) return;
      this.cache.upsert(obj);
    } catch (e) {
      this.report(e, 'index');
      return;
    }
    if (previous) this.emit((h) => h.update?.(previous, obj));
    else this.emit((h) => h.add?.(obj));
  }

  private remove(obj: T): void {
    // A delete of an object never seen (or already removed by a relist) is not news.
    if (!this.cache.delete(objectKey(obj))) return;
    deepFreeze(obj);
    this.emit((h) => h.delete?.(obj));
  }

  private scheduleResync(): void {
    const period = this.options.resyncMs;
    if (!period || period <= 0 || this.stopped) return;
    this.resyncHandle = this.timers.setTimeout(() => {
      if (this.stopped) return;
      if (this.synced) for (const obj of this.cache.list()) this.emit((h) => h.update?.(obj, obj));
      this.scheduleResync();
    }, period);
  }

  private emit(call: (handlers: InformerHandlers<T>) => void): void {
    for (const handlers of [...this.handlers]) this.call(() => call(handlers));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.report(e, 'handler');
    }
  }

  private report(error: unknown, source: InformerErrorSource): void {
    try {
      if (this.options.onError) this.options.onError(error, source);
      else
        console.error(
          `informer ${this.options.resource.resource}: ${source} failed:`,
          error instanceof Error ? error.message : error,
        );
    } catch {
      // A failing error reporter must not take the informer down with it.
    }
  }

  /** Settles like `promise`, or rejects as soon as the informer stops, leaving the call to finish alone. */
  private unlessStopped<R>(promise: Promise<R>): Promise<R> {
    const signal = this.abort.signal;
    return new Promise<R>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

function isGone(e: unknown): boolean {
  return e instanceof ApiError && e.code === 410;
}
