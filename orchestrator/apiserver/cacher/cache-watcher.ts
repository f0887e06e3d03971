import type { ServerResponse } from 'node:http';
import type { ApiError } from '../../api/errors.js';
import type { KubeObject, WatchEventType } from '../../api/types.js';
import { EventEncoding, encodeLine } from './event-encoding.js';
import type { CacheEvent } from './watch-cache.js';

/** What one client's watch asks for. */
export interface CacheWatchRequest {
  /** Only objects of this namespace; '' for every namespace (or a cluster-scoped resource). */
  namespace: string;
  /** Only the object at this key, when the request named one. */
  key?: string;
  matches(obj: KubeObject): boolean;
  /** Renders an object for the wire when the client wants something else than the object (a Table row). */
  render?: (obj: KubeObject) => unknown;
  /** Whether the client takes BOOKMARK events (allowWatchBookmarks). */
  bookmarks: boolean;
  bookmarkKind: { apiVersion: string; kind: string };
  /** The watch ends after this long (timeoutSeconds); 0 or undefined: never. */
  timeoutSeconds?: number;
}

/**
 * One client's watch stream, fed by its resource's Cacher: newline-delimited `{type, object}`
 * events, each after `revision` and in revision order. Objects moving into or out of the
 * client's selector become ADDED or DELETED, as kube-apiserver's cacheWatcher sends them.
 *
 * A client that does not read what it is sent is cut off once more than `maxPendingBytes` wait
 * to be sent to it (beyond the initial state it was given), as kube-apiserver closes a watcher
 * whose buffer stays full: it then watches again from the last resourceVersion it read, and the
 * others never wait for it.
 */
export class CacheWatcher {
  /** The newest revision this client has been told about, by an event or a bookmark. */
  revision: number;
  private closed = false;
  private corked = false;
  private allowance: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    readonly request: CacheWatchRequest,
    /** Only events after this revision go out. */
    fromRevision: number,
    private readonly maxPendingBytes: number,
    private readonly onClose: (
      watcher: CacheWatcher,
      reason: 'client' | 'slow' | 'timeout' | 'server',
    ) => void,
  ) {
    this.revision = fromRevision;
    this.allowance = maxPendingBytes;
    res.on('close', () => this.finish('client'));
    res.on('drain', () => (this.allowance = this.maxPendingBytes));
    // The client may have gone while the watch was being set up.
    if (res.destroyed || res.writableEnded || !res.socket || res.socket.destroyed) this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends the headers and the state the watch starts from, as ADDED events: `initial` holds the
   * objects of the client's namespace (and key) already; its selectors are applied here.
   */
  start(initial: readonly KubeObject[]): void {
    if (this.closed) return;
    this.res.writeHead(200, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      'cache-control': 'no-cache, private',
    });
    this.res.flushHeaders();
    if (initial.length) {
      this.cork();
      for (const obj of initial) if (this.request.matches(obj)) this.write(this.encode('ADDED', obj));
      this.uncork();
    }
    // The initial state may be large; only what comes after it counts against the client.
    this.allowance = this.res.writableLength + this.maxPendingBytes;
    const timeout = this.request.timeoutSeconds;
    if (timeout && timeout > 0) this.timer = setTimeout(() => this.end('timeout'), timeout * 1000);
  }

  /**
   * Sends `ev` if it concerns this client, as the type it is for this client; `encoding` is the
   * event's shared wire form. Returns whether anything was written (the caller uncorks).
   */
  deliver(ev: CacheEvent, encoding?: EventEncoding): boolean {
    if (this.closed || ev.revision <= this.revision) return false;
    this.revision = ev.revision;
    const req = this.request;
    if (req.key !== undefined && ev.key !== req.key) return false;
    if (req.namespace && ev.namespace !== req.namespace) return false;
    const now = req.matches(ev.object);
    const before = ev.previous ? req.matches(ev.previous) : false;
    let type: WatchEventType | undefined;
    if (ev.type === 'DELETED') type = before || now ? 'DELETED' : undefined;
    else if (ev.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (now) type = before ? 'MODIFIED' : 'ADDED';
    else if (before) type = 'DELETED';
    if (!type) return false;
    this.cork();
    const line = req.render || !encoding ? this.encode(type, ev.object, encoding) : encoding.line(type);
    this.write(line);
    return true;
  }

  /** A BOOKMARK at `revision`, when the client takes them and has not been told of it yet. */
  bookmark(revision: number): void {
    if (this.closed || !this.request.bookmarks || revision <= this.revision) return;
    this.revision = revision;
    const { apiVersion, kind } = this.request.bookmarkKind;
    this.write(encodeLine('BOOKMARK', { apiVersion, kind, metadata: { resourceVersion: String(revision) } }));
  }

  /** Sends an ERROR event with the error's Status, then ends the stream. */
  fail(error: ApiError): void {
    if (this.closed) return;
    this.write(encodeLine('ERROR', error.toStatus()));
    this.end('server');
  }

  /** Ends the stream cleanly; the client watches again from the last resourceVersion it saw. */
  end(reason: 'timeout' | 'server' = 'server'): void {
    if (this.closed) return;
    this.uncork();
    this.res.end();
    this.finish(reason);
  }

  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.res.uncork();
  }

  private cork(): void {
    if (this.corked || this.closed) return;
    this.corked = true;
    this.res.cork();
  }

  private encode(type: WatchEventType, obj: KubeObject, shared?: EventEncoding): Buffer {
    if (this.request.render) return encodeLine(type, this.request.render(obj));
    return (shared ?? new EventEncoding(obj)).line(type);
  }

  private write(line: Buffer): void {
    if (this.closed) return;
    this.res.write(line);
    if (this.res.writableLength > this.allowance) {
      // It has not read what it was sent: cut it off rather than hold ever more for it.
      this.closed = true;
      clearTimeout(this.timer);
      this.res.destroy();
      this.onClose(this, 'slow');
    }
  }

  private finish(reason: 'client' | 'slow' | 'timeout' | 'server'): void {
    clearTimeout(this.timer);
    if (this.closed && reason === 'client') return;
    const first = !this.closed;
    this.closed = true;
    if (first) this.onClose(this, reason);
  }
}
