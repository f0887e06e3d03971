import type { ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { errors, isApiError, type ApiError } from '../../api/errors.js';
import { apiVersionOf, type ResourceType } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { EtcdStorage, StorageEvent, StorageWatch } from '../storage/etcd-storage.js';
import { CacheWatcher, type CacheWatchRequest } from './cache-watcher.js';
import { EventEncoding } from './event-encoding.js';
import {
  DEFAULT_WATCH_CACHE_WINDOW,
  WatchCache,
  type CacheEvent,
  type WatchCacheWindow,
} from './watch-cache.js';

/** What readers inside the apiserver (RBAC, admission, write hints) need of a resource's cache. */
export interface CachedObjects {
  /** False until the first list, and while listing again: readers then ask etcd. */
  readonly ready: boolean;
  /** The etcd key prefix of the resource, ending with '/'. */
  readonly prefix: string;
  get(key: string): KubeObject | undefined;
  /** The objects whose key starts with `keyPrefix` (default: all), in key order. */
  list(keyPrefix?: string): KubeObject[];
}

export interface CacherOptions {
  window?: WatchCacheWindow;
  /** Bytes a watcher may leave unread before it is cut off (default 4 MiB). */
  maxPendingBytes?: number;
  /** How often watchers that take bookmarks are told how far the cache got (default 5 s). */
  bookmarkIntervalMs?: number;
  /** Page size of the lists that fill the cache (default 1000). */
  listPageSize?: number;
  /**
   * How many revisions before its list the cache tries to reach back with etcd's history (default
   * 10,000; 0: none), so that clients of an apiserver that restarted resume their watches instead
   * of relisting. Only what etcd has not compacted can be had.
   */
  historyRevisions?: number;
  /** Delay before the etcd watch is tried again after it broke (default 250 ms). */
  retryDelayMs?: number;
  /** Milliseconds on a monotonic clock, for the window's ages. */
  now?: () => number;
  logger?: Logger;
}

/** Where a client's watch starts. */
export type WatchStart =
  /** resourceVersion=N: the events after N, from the window; Gone when it no longer reaches N. */
  | { from: 'revision'; revision: number }
  /** resourceVersion=0: the cache's current objects as ADDED, then what follows. */
  | { from: 'cache' }
  /** No resourceVersion: objects listed from etcd at `revision` as ADDED, then what follows. */
  | { from: 'list'; items: KubeObject[]; revision: number };

const DEFAULT_MAX_PENDING_BYTES = 4 * 1024 * 1024;
const DEFAULT_HISTORY_REVISIONS = 10_000;
/** How long a watch from before the list waits for the history to come in. */
const HISTORY_WAIT_MS = 3_000;

/**
 * The cache reaching back before its list: the keys (and their mod_revision) at `start`, moved
 * on by each event of the history as it comes, until they are the keys of the list (`target`):
 * then every event between the two revisions has come, whether or not a later one follows.
 */
interface History {
  start: number;
  end: number;
  keys: Map<string, number>;
  target: Map<string, number>;
}

/**
 * kube-apiserver's Cacher for one resource: one etcd watch feeds a WatchCache (the current
 * objects and a window of recent events), and every client watch of the resource is served from
 * it. Each change is decoded once, turned into JSON once, and handed to every watcher it concerns
 * (by namespace, key and selectors).
 *
 * The cache lists the resource from etcd, then watches from the list's revision. When the watch
 * breaks (a member lost, etcd away) it watches again from the last revision it applied, keeping
 * its objects and its watchers, which just wait; when that revision has been compacted meanwhile
 * it lists again, and ends every watcher (they resume from their last resourceVersion, or relist
 * on 410), as kube-apiserver does.
 */
export class Cacher implements CachedObjects {
  readonly prefix: string;
  private readonly cache: WatchCache;
  /** Watchers by the namespace they asked for ('' = every namespace). */
  private readonly watchers = new Map<string, Set<CacheWatcher>>();
  private readonly readyWaiters = new Set<() => void>();
  private readonly now: () => number;
  private readonly log: Logger;
  private etcdWatch?: StorageWatch;
  private bookmarkTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private isReady = false;
  private stopped = false;
  private running?: Promise<void>;
  private wake?: () => void;
  private history?: History;
  /** Whether an etcd watch of this cache has ended since its last list. */
  private etcdWatchFailed = false;
  private readonly historyWaiters = new Set<() => void>();

  constructor(
    readonly resource: ResourceType,
    private readonly storage: EtcdStorage,
    private readonly options: CacherOptions = {},
  ) {
    this.prefix = `/registry/${resource.resource}/`;
    this.cache = new WatchCache(options.window ?? DEFAULT_WATCH_CACHE_WINDOW, (key) => this.namespaceOf(key));
    this.now = options.now ?? (() => performance.now());
    this.log = options.logger ?? pino({ level: 'silent' });
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** The newest revision the cache holds the resource at. */
  get revision(): number {
    return this.cache.revision;
  }

  /** The oldest revision a watch may resume from. */
  get windowStart(): number {
    return this.cache.windowStart;
  }

  /** Open client watches. */
  get watcherCount(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  /** Starts filling and following the cache in the background; never rejects. */
  start(): void {
    this.running ??= this.run();
  }

  /** Stops following etcd and ends every client watch. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.bookmarkTimer);
    this.wake?.();
    this.endWatchers();
    await this.etcdWatch?.stop();
    await this.running;
  }

  /** Resolves true once the cache is ready, false when `timeoutMs` passed first. */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.isReady) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.readyWaiters.delete(onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.readyWaiters.add(onReady);
    });
  }

  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  list(keyPrefix = this.prefix): KubeObject[] {
    if (keyPrefix === this.prefix) return this.cache.list();
    const ns = this.namespaceOfPrefix(keyPrefix);
    return ns ? this.cache.list(ns) : this.cache.listPrefix(keyPrefix);
  }

  /** The objects of `namespace` ('' = all), in key order. */
  listNamespace(namespace: string): KubeObject[] {
    return namespace && this.resource.namespaced ? this.cache.list(namespace) : this.cache.list();
  }

  /**
   * Serves one client's watch on `res` from the cache (which must be ready). A start the window no
   * longer reaches is answered, as by kube-apiserver, with an ERROR event carrying 410 Expired.
   */
  async watch(res: ServerResponse, request: CacheWatchRequest, start: WatchStart): Promise<CacheWatcher> {
    if (start.from === 'revision' && this.history && start.revision >= this.history.start)
      await this.waitForHistory(HISTORY_WAIT_MS);
    const fromRevision =
      start.from === 'revision'
        ? start.revision
        : start.from === 'list'
          ? start.revision
          : this.cache.revision;
    const watcher = new CacheWatcher(
      res,
      request,
      fromRevision,
      this.options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES,
      (w, reason) => this.forget(w, reason),
    );
    const initial =
      start.from === 'list'
        ? start.items.filter((o) => this.concerns(request, o))
        : start.from === 'cache'
          ? this.initialState(request)
          : [];
    if (watcher.isClosed) return watcher;
    watcher.start(initial);
    const replay = this.cache.since(fromRevision);
    if (replay === 'gone') {
      watcher.fail(
        errors.gone(
          `too old resource version: ${fromRevision} (${this.cache.windowStart}): the watch cache of ${this.resource.resource} no longer reaches back to it`,
        ),
      );
      return watcher;
    }
    for (const ev of replay) watcher.deliver(ev);
    watcher.uncork();
    if (watcher.isClosed) return watcher;
    let set = this.watchers.get(request.namespace);
    if (!set) this.watchers.set(request.namespace, (set = new Set()));
    set.add(watcher);
    if (request.bookmarks) this.startBookmarks();
    return watcher;
  }

  private waitForHistory(timeoutMs: number): Promise<void> {
    if (!this.history) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.historyWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.historyWaiters.add(done);
    });
  }

  private initialState(request: CacheWatchRequest): KubeObject[] {
    if (request.key !== undefined) {
      const obj = this.cache.get(request.key);
      return obj ? [obj] : [];
    }
    return this.listNamespace(request.namespace);
  }

  private concerns(request: CacheWatchRequest, obj: KubeObject): boolean {
    if (request.namespace && obj.metadata.namespace !== request.namespace) return false;
    return request.key === undefined || request.key === this.keyOf(obj);
  }

  private namespaceOf(key: string): string {
    if (!this.resource.namespaced) return '';
    const start = this.prefix.length;
    return key.slice(start, key.indexOf('/', start));
  }

  private keyOf(obj: KubeObject): string {
    const { namespace, name } = obj.metadata;
    return this.resource.namespaced ? `${this.prefix}${namespace}/${name}` : `${this.prefix}${name}`;
  }

  private namespaceOfPrefix(keyPrefix: string): string | undefined {
    if (!this.resource.namespaced || !keyPrefix.startsWith(this.prefix) || !keyPrefix.endsWith('/'))
      return undefined;
    const ns = keyPrefix.slice(this.prefix.length, -1);
    return ns && !ns.includes('/') ? ns : undefined;
  }

  private forget(watcher: CacheWatcher, reason: string): void {
    const set = this.watchers.get(watcher.request.namespace);
    set?.delete(watcher);
    if (set?.size === 0) this.watchers.delete(watcher.request.namespace);
    if (reason === 'slow')
      this.log.warn(
        { resource: this.resource.resource, namespace: watcher.request.namespace },
        'watcher cut off: it did not read its events',
      );
  }

  private startBookmarks(): void {
    if (this.bookmarkTimer) return;
    this.bookmarkTimer = setInterval(() => {
      const revision = this.cache.revision;
      for (const set of this.watchers.values()) for (const w of set) w.bookmark(revision);
    }, this.options.bookmarkIntervalMs ?? 5_000);
    this.bookmarkTimer.unref();
  }

  // ---- following etcd ----

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        const ended = await this.follow();
        if (isApiError(ended, 'Expired') || isApiError(ended, 'Gone')) needList = true;
      } catch (e) {
        if (isApiError(e, 'Expired') || isApiError(e, 'Gone')) needList = true;
        else if (!this.stopped)
          this.log.debug(
            { resource: this.resource.resource, err: (e as Error).message },
            'watch cache retrying',
          );
      }
      if (!this.stopped) await this.pause(this.options.retryDelayMs ?? 250);
    }
  }

  /** Lists the resource at one revision, page by page, and starts the cache over from it. */
  private async relist(): Promise<void> {
    if (this.isReady) {
      // Watchers' streams would miss what happened between the old revision and the new list.
      this.isReady = false;
      this.endWatchers();
    }
    const items: [string, KubeObject][] = [];
    let revision = 0;
    let startKey: string | undefined;
    do {
      const page = await this.storage.list(this.prefix, {
        limit: this.options.listPageSize ?? 1000,
        startKey,
        revision,
      });
      revision = page.revision;
      page.items.forEach((obj, i) => items.push([page.keys[i]!, this.typed(obj)]));
      startKey = page.nextKey;
    } while (startKey && !this.stopped);
    this.cache.replace(items, revision);
    this.etcdWatchFailed = false;
    // Before it is ready, so that no watch from before the list is refused while it could be served.
    await this.reachBack(
      new Map(items.map(([key, obj]) => [key, Number(obj.metadata.resourceVersion)])),
      revision,
    );
    this.isReady = true;
    for (const waiter of [...this.readyWaiters]) waiter();
  }

  /**
   * Sets the cache up to take etcd's history between an earlier revision and the list's, if etcd
   * still has it: the keys at that revision now, the events after it from the watch.
   */
  private async reachBack(target: Map<string, number>, end: number): Promise<void> {
    this.finishHistory(false);
    const back = this.options.historyRevisions ?? DEFAULT_HISTORY_REVISIONS;
    let tried = 0;
    // Ever shorter reaches, until one is not compacted yet.
    for (let distance = back; distance >= 1; distance = Math.floor(distance / 8)) {
      const start = Math.max(1, end - distance);
      if (start === tried) continue;
      tried = start;
      try {
        const { keys } = await this.storage.listKeys(this.prefix, start);
        this.history = { start, end, keys, target };
        this.cache.beginHistory(start);
        if (sameKeys(keys, target)) this.finishHistory(true);
        return;
      } catch (e) {
        // Compacted: try a shorter reach; anything else: do without.
        if (!isApiError(e, 'Expired') && !isApiError(e, 'Gone')) return;
      }
    }
  }

  private finishHistory(complete: boolean): void {
    if (!this.history) return;
    this.history = undefined;
    if (complete) this.cache.completeHistory();
    else this.cache.abandonHistory();
    for (const waiter of [...this.historyWaiters]) waiter();
  }

  /** One event of the history: into the window, not the objects (which are past it). */
  private addHistory(input: StorageEvent, at: number): void {
    const history = this.history!;
    const previous = input.previous && this.typed(input.previous);
    if (input.type === 'PUT') history.keys.set(input.key, input.revision);
    else history.keys.delete(input.key);
    if (input.type === 'DELETE' && !previous) return;
    const object =
      input.type === 'PUT'
        ? this.typed(input.object)
        : { ...previous!, metadata: { ...previous!.metadata, resourceVersion: String(input.revision) } };
    this.cache.addHistory({
      type: input.type === 'DELETE' ? 'DELETED' : previous ? 'MODIFIED' : 'ADDED',
      key: input.key,
      namespace: this.namespaceOf(input.key),
      object,
      previous,
      revision: input.revision,
      at,
    });
  }

  /** Follows etcd from the cache's revision until the watch ends; resolves with why it ended. */
  private async follow(): Promise<ApiError> {
    return new Promise<ApiError>((resolve, reject) => {
      let settled = false;
      const settle = (error: ApiError) => {
        if (settled) return;
        settled = true;
        this.etcdWatch = undefined;
        this.etcdWatchFailed = true;
        resolve(error);
      };
      this.wake = () => settle(errors.unavailable('stopped'));
      // Watching again from the cache's revision: a history not complete by now is given up.
      if (this.history && this.etcdWatchFailed) this.finishHistory(false);
      const history = this.history;
      this.storage
        .watch(
          this.prefix,
          history ? history.start : this.cache.revision,
          { onEvents: (batch) => this.onEvents(batch), onEnd: settle },
          { withPrevious: Boolean(history) },
        )
        .then((w) => {
          if (settled || this.stopped) void w.stop();
          else this.etcdWatch = w;
        }, reject);
    });
  }

  private onEvents(batch: StorageEvent[]): void {
    const at = this.now();
    const touched = new Set<CacheWatcher>();
    for (const input of batch) {
      if (this.history) {
        if (input.revision <= this.history.end) {
          this.addHistory(input, at);
          continue;
        }
        // A change after the list: the whole history came before it.
        this.finishHistory(true);
      }
      const ev = this.cache.apply(
        input.type === 'PUT' ? { ...input, object: this.typed(input.object) } : input,
        at,
      );
      if (ev) this.dispatch(ev, touched);
    }
    for (const w of touched) w.uncork();
    if (this.history && sameKeys(this.history.keys, this.history.target)) this.finishHistory(true);
  }

  private dispatch(ev: CacheEvent, touched: Set<CacheWatcher>): void {
    const encoding = new EventEncoding(ev.object);
    const send = (set: Set<CacheWatcher> | undefined) => {
      if (!set) return;
      for (const w of set) if (w.deliver(ev, encoding)) touched.add(w);
    };
    send(this.watchers.get(''));
    if (ev.namespace) send(this.watchers.get(ev.namespace));
  }

  /** Ends every client watch (they resume elsewhere or later); the cache goes on following etcd. */
  endWatches(): void {
    this.endWatchers();
  }

  private endWatchers(): void {
    for (const set of [...this.watchers.values()]) for (const w of [...set]) w.end('server');
    this.watchers.clear();
  }

  /** Stored objects carry their type; one written by an older apiserver may not. */
  private typed(obj: KubeObject): KubeObject {
    if (obj.apiVersion && obj.kind) return obj;
    return { ...obj, apiVersion: apiVersionOf(this.resource), kind: this.resource.kind };
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.retryTimer = setTimeout(resolve, ms);
    });
  }
}

function sameKeys(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, revision] of a) if (b.get(key) !== revision) return false;
  return true;
}
