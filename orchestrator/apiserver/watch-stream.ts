import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, type ApiError } from '../api/errors.js';
import type { KubeObject, WatchEventType } from '../api/types.js';
import type { EtcdStorage, StorageWatch, WatchHandlers } from './storage/etcd-storage.js';

export interface WatchRequest {
  prefix: string;
  /** Only this object's key, when the request named one. */
  key?: string;
  /** resourceVersion to resume after; undefined means "current state, then changes". */
  fromRevision?: number;
  matches(obj: KubeObject): boolean;
  /** Renders an object for the wire (e.g. as a one-row Table). */
  render(obj: KubeObject): unknown;
  timeoutSeconds?: number;
  bookmarks: boolean;
  bookmarkKind: { apiVersion: string; kind: string };
  /** Lists current objects for a watch without a resourceVersion. */
  listCurrent(): Promise<{ items: KubeObject[]; revision: number }>;
  /** Open watches, so a stopping server can end each stream cleanly. */
  open: Set<() => void>;
}

const BOOKMARK_INTERVAL_MS = 5_000;

/**
 * Serves a `?watch=true` request: newline-delimited `{type, object}` events in revision order.
 * Objects moving into or out of a selector become ADDED or DELETED, as in kube-apiserver's
 * watch cache. A compacted resourceVersion gives an ERROR event with a 410 Status; losing etcd
 * ends the stream so the client re-watches from where it was.
 */
export async function serveWatch(
  storage: EtcdStorage,
  req: IncomingMessage,
  res: ServerResponse,
  w: WatchRequest,
): Promise<void> {
  let lastRevision = w.fromRevision ?? 0;
  let closed = false;
  let storageWatch: StorageWatch | undefined;
  const timers: NodeJS.Timeout[] = [];
  type Event = Parameters<WatchHandlers['onEvent']>[0];

  // Events of one tick leave in one write: a TLS record and a syscall per event cost more than the event.
  let corked = false;
  const send = (type: WatchEventType, object: unknown) => {
    if (closed) return;
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(() => {
        corked = false;
        res.uncork();
      });
    }
    res.write(JSON.stringify({ type, object }) + '\n');
  };
  const close = () => {
    if (closed) return;
    closed = true;
    w.open.delete(close);
    timers.forEach((t) => clearTimeout(t));
    void storageWatch?.stop();
    res.end();
  };
  const fail = (err: ApiError) => {
    if (err.code === 410) send('ERROR', err.toStatus());
    close();
  };
  req.on('close', close);
  w.open.add(close);

  let initial: KubeObject[] = [];
  if (w.fromRevision === undefined) {
    const current = await w.listCurrent();
    initial = current.items;
    lastRevision = current.revision;
  }

  res.writeHead(200, {
    'content-type': 'application/json',
    'transfer-encoding': 'chunked',
    'cache-control': 'no-cache, private',
  });
  res.flushHeaders();
  for (const obj of initial) if (w.matches(obj)) send('ADDED', w.render(obj));

  // Events arriving before the initial objects are written wait, so order holds.
  const buffered: Event[] = [];
  let ready = false;
  const deliver = (ev: Event) => {
    if (w.key && ev.key !== w.key) return;
    lastRevision = ev.revision;
    const nowMatches = w.matches(ev.object);
    const wasMatching = ev.previous ? w.matches(ev.previous) : false;
    let type: WatchEventType | undefined;
    if (ev.type === 'DELETED') type = wasMatching || nowMatches ? 'DELETED' : undefined;
    else if (ev.type === 'ADDED') type = nowMatches ? 'ADDED' : undefined;
    else if (nowMatches) type = wasMatching ? 'MODIFIED' : 'ADDED';
    else if (wasMatching) type = 'DELETED';
    if (type) send(type, w.render(ev.object));
  };
  try {
    storageWatch = await storage.watch(w.prefix, lastRevision, {
      onEvent: (ev) => (ready ? deliver(ev) : buffered.push(ev)),
      onEnd: fail,
    });
  } catch (e) {
    fail(e as ApiError);
    return;
  }
  if (closed) {
    void storageWatch.stop();
    return;
  }
  ready = true;
  buffered.splice(0).forEach(deliver);

  if (w.timeoutSeconds && w.timeoutSeconds > 0) timers.push(setTimeout(close, w.timeoutSeconds * 1000));
  if (w.bookmarks) {
    const bookmark = () =>
      send('BOOKMARK', { ...w.bookmarkKind, metadata: { resourceVersion: String(lastRevision) } });
    timers.push(setInterval(bookmark, BOOKMARK_INTERVAL_MS));
  }
}

/** Parses a watch's resourceVersion: absent or "0" means "from the current state". */
export function parseWatchRevision(rv: string | null): number | undefined {
  if (rv === null || rv === '' || rv === '0') return undefined;
  const n = Number(rv);
  if (!Number.isSafeInteger(n) || n < 0) throw errors.badRequest(`invalid resource version: "${rv}"`);
  return n;
}
