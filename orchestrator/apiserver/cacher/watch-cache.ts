import type { KubeObject, WatchEventType } from '../../api/types.js';

/** One change as the watch cache keeps it: what it was, what it became, and at which revision. */
export interface CacheEvent {
  type: Exclude<WatchEventType, 'ERROR' | 'BOOKMARK'>;
  key: string;
  /** The object's namespace ('' for a cluster-scoped one). */
  namespace: string;
  /** The object after the change; for DELETED, its last state with the deletion's resourceVersion. */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  previous?: KubeObject;
  revision: number;
  /** When the cache learned of it (ms, the cache's clock): the window keeps events for a while. */
  at: number;
}

/** A change as it comes from etcd: a put of the object, or a delete of the key. */
export type CacheInput =
  | { type: 'PUT'; key: string; object: KubeObject; revision: number }
  | { type: 'DELETE'; key: string; revision: number };

/** How many recent events the window keeps, as kube-apiserver's watch cache sizes its own. */
export interface WatchCacheWindow {
  /** Events kept however old they are (kube-apiserver: 100). */
  minEvents: number;
  /** Events kept at most, however young (kube-apiserver: 100 × 1024). */
  maxEvents: number;
  /** Events younger than this are kept while there is room (kube-apiserver: 75 s). */
  maxAgeMs: number;
}

export const DEFAULT_WATCH_CACHE_WINDOW: WatchCacheWindow = Object.freeze({
  minEvents: 100,
  maxEvents: 100 * 1024,
  maxAgeMs: 75_000,
});

/**
 * kube-apiserver's watchCache for one resource, without I/O: the current objects, and a window
 * of the latest events. `revision` is the newest revision applied: the store is the resource as
 * etcd held it then. `windowStart` is the oldest revision a watch may resume from: every event
 * after it is in the window. Objects are frozen once stored: readers share them.
 */
export class WatchCache {
  private readonly objects = new Map<string, KubeObject>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private sortedKeys?: string[];
  private events: CacheEvent[] = [];
  /** Index of the oldest event kept in `events` (evicted ones are dropped in bulk). */
  private head = 0;
  /** The revision of the newest event evicted from the window (0: none yet). */
  private evictedUpTo = 0;
  /** Where the window will start once the history being added is complete. */
  private historyStart?: number;
  revision = 0;
  windowStart = 0;

  constructor(
    private readonly window: WatchCacheWindow = DEFAULT_WATCH_CACHE_WINDOW,
    /** The namespace of a key ('' for cluster-scoped resources). */
    private readonly namespaceOf: (key: string) => string = () => '',
  ) {}

  get size(): number {
    return this.objects.size;
  }

  /** Number of events in the window. */
  get windowLength(): number {
    return this.events.length - this.head;
  }

  /** Starts over from a list read at `revision`: the window is empty and begins there. */
  replace(items: Iterable<[string, KubeObject]>, revision: number): void {
    this.objects.clear();
    this.byNamespace.clear();
    this.sortedKeys = undefined;
    for (const [key, object] of items) this.store(key, deepFreeze(object));
    this.events = [];
    this.head = 0;
    this.evictedUpTo = 0;
    this.historyStart = undefined;
    this.revision = revision;
    this.windowStart = revision;
  }

  /**
   * Begins reaching back before the list: events after `start` up to the list's revision are
   * added with addHistory (they are in the objects already) and count in the window only once
   * completeHistory says all of them came.
   */
  beginHistory(start: number): void {
    if (start < this.windowStart && this.events.length === this.head) this.historyStart = start;
  }

  /** Whether history is being added and not complete yet. */
  get historyPending(): boolean {
    return this.historyStart !== undefined;
  }

  /** Adds an event from before the list (revision at most the list's), in revision order. */
  addHistory(event: CacheEvent): void {
    if (this.historyStart === undefined) return;
    const last = this.events[this.events.length - 1];
    if (event.revision <= this.historyStart || event.revision > this.revision) return;
    if (last && event.revision <= last.revision) return;
    this.events.push(deepFreeze(event));
    this.evict(event.at);
  }

  /** Every event after the history's start has been added: the window reaches back to it. */
  completeHistory(): void {
    if (this.historyStart === undefined) return;
    this.windowStart = Math.max(this.historyStart, this.evictedUpTo);
    this.historyStart = undefined;
  }

  /** Gives up reaching back: the window starts where it did. */
  abandonHistory(): void {
    this.historyStart = undefined;
  }

  /**
   * Applies one change and returns the event it makes, or undefined for one already applied (at
   * or before `revision`) or a delete of a key the cache never held.
   */
  apply(input: CacheInput, at: number): CacheEvent | undefined {
    if (input.revision <= this.revision) return undefined;
    this.revision = input.revision;
    const previous = this.objects.get(input.key);
    let event: CacheEvent;
    if (input.type === 'PUT') {
      const object = deepFreeze(input.object);
      this.store(input.key, object);
      event = {
        type: previous ? 'MODIFIED' : 'ADDED',
        key: input.key,
        namespace: this.namespaceOf(input.key),
        object,
        previous,
        revision: input.revision,
        at,
      };
    } else {
      if (!previous) return undefined;
      this.remove(input.key);
      const gone = deepFreeze({
        ...previous,
        metadata: { ...previous.metadata, resourceVersion: String(input.revision) },
      });
      event = {
        type: 'DELETED',
        key: input.key,
        namespace: this.namespaceOf(input.key),
        object: gone,
        previous,
        revision: input.revision,
        at,
      };
    }
    this.events.push(event);
    this.evict(at);
    return event;
  }

  /** Moves `revision` on without a change (nothing happened to this resource up to it). */
  advance(revision: number): void {
    if (revision > this.revision) this.revision = revision;
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** The objects in key order (as etcd lists them), those of `namespace` only when given. */
  list(namespace?: string): KubeObject[] {
    if (namespace) {
      const keys = this.byNamespace.get(namespace);
      return keys ? [...keys].sort().map((k) => this.objects.get(k)!) : [];
    }
    this.sortedKeys ??= [...this.objects.keys()].sort();
    return this.sortedKeys.map((k) => this.objects.get(k)!);
  }

  /** The objects whose key starts with `keyPrefix`, in key order. */
  listPrefix(keyPrefix: string): KubeObject[] {
    this.sortedKeys ??= [...this.objects.keys()].sort();
    const out: KubeObject[] = [];
    for (const k of this.sortedKeys) if (k.startsWith(keyPrefix)) out.push(this.objects.get(k)!);
    return out;
  }

  /**
   * The events after `revision`, oldest first; 'gone' when the window no longer reaches back to
   * it (kube-apiserver's "too old resource version"). A revision ahead of the cache gives none.
   */
  since(revision: number): CacheEvent[] | 'gone' {
    if (revision < this.windowStart) return 'gone';
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo);
  }

  private store(key: string, object: KubeObject): void {
    if (!this.objects.has(key)) {
      this.sortedKeys = undefined;
      const ns = this.namespaceOf(key);
      if (ns) {
        let keys = this.byNamespace.get(ns);
        if (!keys) this.byNamespace.set(ns, (keys = new Set()));
        keys.add(key);
      }
    }
    this.objects.set(key, object);
  }

  private remove(key: string): void {
    this.objects.delete(key);
    this.sortedKeys = undefined;
    const ns = this.namespaceOf(key);
    const keys = ns ? this.byNamespace.get(ns) : undefined;
    if (keys) {
      keys.delete(key);
      if (keys.size === 0) this.byNamespace.delete(ns);
    }
  }

  /** Drops the oldest events beyond the window's bounds; the window then starts at the last one dropped. */
  private evict(now: number): void {
    const { minEvents, maxEvents, maxAgeMs } = this.window;
    while (this.windowLength > minEvents) {
      const oldest = this.events[this.head]!;
      if (this.windowLength <= maxEvents && now - oldest.at <= maxAgeMs) break;
      this.evictedUpTo = oldest.revision;
      this.windowStart = Math.max(this.windowStart, oldest.revision);
      this.head++;
    }
    // Drop the evicted prefix now and then, not on every event.
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }
}

/** Freezes an object and everything in it: cached objects are shared by every reader. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  const stack: object[] = [value as object];
  while (stack.length) {
    const obj = stack.pop()!;
    Object.freeze(obj);
    for (const child of Object.values(obj)) {
      if (child !== null && typeof child === 'object' && !Object.isFrozen(child)) stack.push(child as object);
    }
  }
  return value;
}
