import { Etcd3, isRecoverableError, type IKeyValue, type Watcher } from 'etcd3';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ConstantBackoff,
  circuitBreaker,
  handleWhen,
  noop,
} from 'cockatiel';
import { ApiError, errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';

export interface EtcdStorageOptions {
  /** etcd's client URLs: http://, or https:// with `tls`. */
  endpoints: string[];
  /** Deadline of every unary etcd call; a request never waits on etcd longer than this. */
  requestTimeoutMs: number;
  /** TLS to etcd; without it, plain http (or https trusting the system's roots). */
  tls?: EtcdClientTls;
}

/**
 * How the apiserver speaks TLS to etcd, as kube-apiserver's --etcd-cafile, --etcd-certfile and
 * --etcd-keyfile: the CA it trusts for etcd's serving certificates and, for an etcd that requires
 * client certificates (--client-cert-auth), the key pair it presents.
 */
export interface EtcdClientTls {
  caPem: string;
  certPem?: string;
  keyPem?: string;
}

export interface ListPage {
  items: KubeObject[];
  /** The etcd key of each item, in the same order. */
  keys: string[];
  /** The etcd revision the page was read at: the list's resourceVersion. */
  revision: number;
  /** Key after which the next page starts, when more items remain. */
  nextKey?: string;
  remaining?: number;
}

export type StorageEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StorageEvent {
  type: StorageEventType;
  key: string;
  object: KubeObject;
  /** The object before this change, for MODIFIED and DELETED. */
  previous?: KubeObject;
  revision: number;
}

export interface StorageWatch {
  stop(): Promise<void>;
}

export interface WatchHandlers {
  onEvent(event: StorageEvent): void;
  /** The watch ended for a reason other than stop(): compaction (Gone) or losing etcd. */
  onEnd(error: ApiError): void;
}

const encoder = new TextEncoder();
/** How long an etcd endpoint that failed is skipped before one call tries it again. */
const ENDPOINT_RETRY_AFTER_MS = 1000;

/**
 * The only code that touches etcd. Objects are stored as JSON without their resourceVersion;
 * the resourceVersion handed out is the key's mod_revision, so optimistic concurrency is an
 * etcd transaction comparing mod_revision. Every call carries a deadline and is never retried
 * here: the caller decides what a failure means.
 *
 * With several etcd endpoints, the client picks one at random per call and does not try another
 * once a call went out. So each endpoint gets a circuit breaker that opens on its first
 * connection-level failure and lets one trial call through a second later: one call fails when
 * a member dies, the following ones go to the live members. (Without it, a third of all calls
 * failed for as long as one of three members was down.) When every breaker is open, calls fail
 * at once as etcd unavailable. A single endpoint has no breaker: each call fails on its own.
 */
export class EtcdStorage {
  private readonly client: Etcd3;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(options: EtcdStorageOptions) {
    this.timeoutMs = options.requestTimeoutMs;
    const tls = options.tls;
    this.client = new Etcd3({
      hosts: options.endpoints,
      credentials: tls && {
        rootCertificate: Buffer.from(tls.caPem),
        privateKey: tls.keyPem === undefined ? undefined : Buffer.from(tls.keyPem),
        certChain: tls.certPem === undefined ? undefined : Buffer.from(tls.certPem),
      },
      dialTimeout: options.requestTimeoutMs,
      // Reconnect quickly once etcd is back: gRPC's default back-off grows to two minutes.
      grpcOptions: {
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 500,
        'grpc.keepalive_time_ms': 5000,
        'grpc.keepalive_timeout_ms': 2000,
        'grpc.keepalive_permit_without_calls': 1,
        // An unpaged list of a large resource (2000 Nodes are 6 MB) must not hit gRPC's default 4 MB
        // limit: the call would fail, and the failure (RESOURCE_EXHAUSTED counts as recoverable)
        // would open the endpoint's breaker and fail every call for a second. kube-apiserver's
        // etcd client sets the same: MaxCallRecvMsgSize = math.MaxInt32.
        'grpc.max_receive_message_length': 2 ** 31 - 1,
      },
      faultHandling: {
        // With one member there is nowhere else to send a call, so a breaker could only turn one
        // slow call (a large list past its deadline) into a second of failing every call.
        host: () =>
          options.endpoints.length > 1
            ? circuitBreaker(handleWhen(isRecoverableError), {
                halfOpenAfter: ENDPOINT_RETRY_AFTER_MS,
                breaker: new ConsecutiveBreaker(1),
              })
            : noop,
        global: noop,
        watchBackoff: new ConstantBackoff(250).next(),
      },
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.timeoutMs }),
    });
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(key) }));
    return res.kvs[0] ? decode(res.kvs[0]) : undefined;
  }

  /** Reads one page of keys under `prefix`, from `startKey` on, at `revision` (0 = newest). */
  async list(
    prefix: string,
    opts: { limit?: number; startKey?: string; revision?: number } = {},
  ): Promise<ListPage> {
    const res = await this.call(() =>
      this.client.kv.range({
        key: Buffer.from(opts.startKey ?? prefix),
        range_end: prefixEnd(prefix),
        limit: opts.limit ?? 0,
        revision: opts.revision ?? 0,
      }),
    );
    const items = res.kvs.map(decode);
    const keys = res.kvs.map((kv) => kv.key.toString());
    const revision = opts.revision || Number(res.header.revision);
    const page: ListPage = { items, keys, revision };
    if (res.more && res.kvs.length > 0) {
      page.nextKey = res.kvs[res.kvs.length - 1]!.key.toString() + '\x00';
      page.remaining = Number(res.count) - res.kvs.length;
    }
    return page;
  }

  /** Stores a new object; AlreadyExists when the key is taken. */
  async create(key: string, object: KubeObject, describe: Describe): Promise<KubeObject> {
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: Buffer.from(key), value: encode(object) } }],
      }),
    );
    if (!res.succeeded) throw errors.alreadyExists(describe.resource, describe.group, describe.name);
    return withRevision(object, Number(res.header.revision));
  }

  /**
   * Replaces the object if its mod_revision is still `expectedRevision`: Conflict otherwise,
   * NotFound when it is gone.
   */
  async update(
    key: string,
    object: KubeObject,
    expectedRevision: number,
    describe: Describe,
  ): Promise<KubeObject> {
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_put: { key: Buffer.from(key), value: encode(object) } }],
        failure: [{ request_range: { key: Buffer.from(key) } }],
      }),
    );
    if (!res.succeeded) {
      const current = res.responses[0]?.response_range?.kvs?.[0];
      if (!current) throw errors.notFound(describe.resource, describe.group, describe.name);
      throw errors.conflict(
        describe.resource,
        describe.group,
        describe.name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return withRevision(object, Number(res.header.revision));
  }

  /** Deletes the key if its mod_revision is still `expectedRevision`; returns the last state. */
  async delete(key: string, expectedRevision: number, describe: Describe): Promise<KubeObject> {
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_delete_range: { key: Buffer.from(key), prev_kv: true } }],
        failure: [{ request_range: { key: Buffer.from(key) } }],
      }),
    );
    if (!res.succeeded) {
      const current = res.responses[0]?.response_range?.kvs?.[0];
      if (!current) throw errors.notFound(describe.resource, describe.group, describe.name);
      throw errors.conflict(describe.resource, describe.group, describe.name, 'the object has been modified');
    }
    const prev = res.responses[0]?.response_delete_range?.prev_kvs?.[0];
    const last = prev ? decode(prev) : ({ apiVersion: '', kind: '', metadata: {} } as KubeObject);
    return withRevision(last, Number(res.header.revision));
  }

  /** Claims `key` if free (a create-if-absent of a plain value); false when someone holds it. */
  async claim(key: string, value: string): Promise<boolean> {
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(value) } }],
      }),
    );
    return res.succeeded;
  }

  async release(key: string): Promise<void> {
    await this.call(() => this.client.kv.deleteRange({ key: Buffer.from(key) }));
  }

  /** Keys under `prefix` with their raw values (for claims). */
  async listRaw(prefix: string): Promise<Map<string, string>> {
    const res = await this.call(() =>
      this.client.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix) }),
    );
    return new Map(res.kvs.map((kv) => [kv.key.toString(), kv.value.toString()]));
  }

  /** The store's newest revision. */
  async currentRevision(): Promise<number> {
    const res = await this.call(() =>
      this.client.kv.range({ key: Buffer.from('/registry/'), count_only: true }),
    );
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    await this.call(() => this.client.kv.compact({ revision, physical: true }));
  }

  /**
   * Streams every change under `prefix` after `fromRevision`, in revision order. A compacted
   * `fromRevision` ends the watch with Gone; losing etcd ends it with ServiceUnavailable, so the
   * client re-watches from the last resourceVersion it saw, as Kubernetes clients do.
   */
  async watch(prefix: string, fromRevision: number, handlers: WatchHandlers): Promise<StorageWatch> {
    let ended = false;
    // A watch from a compacted revision must never reach etcd: the client library then waits
    // forever for a "created" answer and every later watch on this client queues behind it.
    if (await this.isCompacted(prefix, fromRevision))
      throw errors.gone(`too old resource version: ${fromRevision}`);
    const watcher: Watcher = await this.client
      .watch()
      .prefix(prefix)
      .startRevision(String(fromRevision + 1))
      .withPreviousKV()
      .create();
    const end = (error: ApiError) => {
      if (ended) return;
      ended = true;
      void cancelWatcher(watcher);
      handlers.onEnd(error);
    };
    watcher.on('data', (res) => {
      if (ended) return;
      for (const ev of res.events) {
        const revision = Number(ev.kv.mod_revision);
        if (ev.type === 'Put') {
          handlers.onEvent({
            type: ev.kv.version === '1' ? 'ADDED' : 'MODIFIED',
            key: ev.kv.key.toString(),
            object: decode(ev.kv),
            previous: ev.prev_kv ? decode(ev.prev_kv) : undefined,
            revision,
          });
        } else if (ev.prev_kv) {
          handlers.onEvent({
            type: 'DELETED',
            key: ev.kv.key.toString(),
            object: withRevision(decode(ev.prev_kv), revision),
            previous: decode(ev.prev_kv),
            revision,
          });
        }
      }
    });
    watcher.on('error', (err: Error) => end(mapWatchError(err)));
    watcher.on('disconnected', () => end(errors.unavailable('watch stream to etcd lost')));
    return {
      stop: async () => {
        if (ended) return;
        ended = true;
        await cancelWatcher(watcher);
      },
    };
  }

  private async isCompacted(prefix: string, fromRevision: number): Promise<boolean> {
    try {
      await this.client.kv.range({ key: Buffer.from(prefix), count_only: true, revision: fromRevision + 1 });
      return false;
    } catch (e) {
      if (/compacted/i.test((e as Error).message)) return true;
      // A future revision is fine to watch from; anything else is etcd failing.
      if (/future revision/i.test((e as Error).message)) return false;
      throw mapEtcdError(e);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapEtcdError(err);
    }
  }
}

export interface Describe {
  resource: string;
  group: string;
  name: string;
}

/**
 * Cancels an etcd watch without waiting on etcd for long: the client library waits for etcd to
 * confirm, and never hears back when the stream broke meanwhile.
 */
async function cancelWatcher(watcher: Watcher): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    watcher.cancel().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 500))),
  ]);
  clearTimeout(timer);
}

function encode(object: KubeObject): Buffer {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return Buffer.from(encoder.encode(JSON.stringify({ ...object, metadata })));
}

function decode(kv: IKeyValue): KubeObject {
  return withRevision(JSON.parse(kv.value.toString()) as KubeObject, Number(kv.mod_revision));
}

function withRevision(object: KubeObject, revision: number): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } };
}

function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  return end;
}

function mapEtcdError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof BrokenCircuitError)
    return errors.unavailable('etcd is unavailable: every endpoint failed its last call');
  const message = err instanceof Error ? err.message : String(err);
  if (/compacted/i.test(message)) return errors.gone(`too old resource version: ${message}`);
  if (/deadline|timed out|timeout/i.test(message))
    return errors.timeout(`etcd request timed out: ${message}`);
  if (/unavailable|connect|no connection|ECONNREFUSED|closed/i.test(message)) {
    return errors.unavailable(`etcd is unavailable: ${message}`);
  }
  return errors.internal(`etcd: ${message}`);
}

function mapWatchError(err: Error): ApiError {
  return /compacted/i.test(err.message)
    ? errors.gone(`too old resource version: ${err.message}`)
    : errors.unavailable(`watch on etcd failed: ${err.message}`);
}
