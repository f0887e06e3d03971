import { randomBytes } from 'node:crypto';
import { formatTime, type Clock, systemClock } from '../clock.js';
import { findResource } from '../resources.js';
import { objectReference } from '../pod-helpers.js';
import type { Event, KubeObject } from '../types.js';
import { TokenBucket } from '../token-bucket.js';
import type { ApiClient } from './api-client.js';

const EVENTS = findResource('', 'v1', 'events')!;
const MAX_REMEMBERED = 4096;
/** client-go's event broadcaster: a queue of 1000, drained at the client's 50 qps with a burst of 100. */
const QUEUE_LIMIT = 1000;
const EVENTS_PER_SECOND = 50;
const EVENT_BURST = 100;

/**
 * Records core/v1 Events about objects, as client-go's EventRecorder: the same reason and
 * message about the same object within one process bump `count` instead of adding an Event.
 * Best effort and in the background, as client-go's broadcaster: events wait in a bounded
 * queue drained at a limited rate, so a burst (a thousand pods scheduled) does not compete with
 * the work it reports on; past the queue's limit events are dropped and counted.
 */
export class EventRecorder {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  private readonly queue: (() => Promise<void>)[] = [];
  private readonly bucket: TokenBucket;
  private draining = false;
  /** Events dropped because the queue was full. */
  dropped = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly source: { component: string; host?: string },
    private readonly clock: Clock = systemClock,
  ) {
    this.bucket = new TokenBucket(EVENTS_PER_SECOND, EVENT_BURST, clock);
  }

  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.queue.length >= QUEUE_LIMIT) {
      this.dropped++;
      return;
    }
    this.queue.push(() => this.record(obj, type, reason, message));
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        if (!this.bucket.take()) {
          await new Promise((r) => setTimeout(r, 1000 / EVENTS_PER_SECOND).unref());
          continue;
        }
        await this.queue.shift()!().catch(() => undefined);
      }
    } finally {
      this.draining = false;
    }
  }

  private async record(
    obj: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const now = formatTime(this.clock.now());
    const key = `${obj.metadata.uid}|${reason}|${message}`;
    const known = this.seen.get(key);
    if (known) {
      known.count++;
      this.seen.delete(key);
      this.seen.set(key, known);
      await this.client.patch(EVENTS, known.namespace, known.name, {
        count: known.count,
        lastTimestamp: now,
      });
      return;
    }
    const namespace = obj.metadata.namespace || 'default';
    const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
    this.remember(key, { name, namespace, count: 1 });
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: objectReference(obj, findResourceOf(obj)),
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: this.source,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    };
    await this.client.create(EVENTS, event);
  }

  private remember(key: string, value: { name: string; namespace: string; count: number }): void {
    this.seen.set(key, value);
    if (this.seen.size > MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
  }
}

function findResourceOf(obj: KubeObject) {
  const slash = obj.apiVersion?.indexOf('/') ?? -1;
  const group = slash < 0 ? '' : obj.apiVersion.slice(0, slash);
  const version = slash < 0 ? obj.apiVersion : obj.apiVersion.slice(slash + 1);
  return findResource(group, version, `${obj.kind?.toLowerCase()}s`);
}
