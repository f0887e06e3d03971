import type { KubeObject, WatchEventType } from '../../api/types.js';

/**
 * The wire form of one object in watch events — `{"type":…,"object":…}` and a newline — made
 * once and shared: every watcher a change goes to writes the same bytes. The object is turned
 * into JSON at most once, whatever event types it is sent as (a change is MODIFIED for one
 * watcher, ADDED or DELETED for another whose selector it entered or left).
 */
export class EventEncoding {
  private json?: string;
  private readonly lines = new Map<WatchEventType, Buffer>();

  constructor(private readonly object: KubeObject) {}

  line(type: WatchEventType): Buffer {
    let line = this.lines.get(type);
    if (!line) {
      this.json ??= JSON.stringify(this.object);
      line = Buffer.from(`{"type":"${type}","object":${this.json}}\n`);
      this.lines.set(type, line);
    }
    return line;
  }
}

/** One watch event line for an object that is not shared (a Table row, a bookmark, a Status). */
export function encodeLine(type: WatchEventType, object: unknown): Buffer {
  return Buffer.from(`${JSON.stringify({ type, object })}\n`);
}
