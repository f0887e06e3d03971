import { Etcd3, type IKeyValue, type IWatchResponse } from 'etcd3';
import { ApiError, errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { EtcdMembers, memberClientOptions, type EtcdCallKind, type EtcdMember } from './etcd-members.js';

export interface EtcdStorageOptions {
  /** etcd's client URLs: http://, or https:// with `tls`. */
  endpoints: string[];
  /** Deadline of every unary etcd call; a request never waits on etcd longer than this. */
  requestTimeoutMs: number;
  /** TLS to etcd; without it, plain http (or https trusting the system's roots). */
  tls?: EtcdClientTls;
  /** Told when a member leaves the choice of members and when it comes back. */
  onMemberChange?: (member: string, answering: boolean, why: string) => void;
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

/**
 * One change under a watched prefix: a put of the object as stored, or a delete of the key; with
 * `withPrevious`, also what the key held before (none for a key's first version).
 */
export type StorageEvent =
  | { type: 'PUT'; key: string; object: KubeObject; previous?: KubeObject; revision: number }
  | { type: 'DELETE'; key: string; previous?: KubeObject; revision: number };

export interface StorageWatch {
  stop(): Promise<void>;
}

export interface WatchHandlers {
  /** The changes of one etcd response, in revision order. */
  onEvents(events: StorageEvent[]): void;
  /** The watch ended for a reason other than stop(): compaction (Gone) or losing etcd. */
  onEnd(error: ApiError): void;
}

const encoder = new TextEncoder();

/**
 * The only code that touches etcd. Objects are stored as JSON without their resourceVersion;
 * the resourceVersion handed out is the key's mod_revision, so optimistic concurrency is an
 * etcd transaction comparing mod_revision. Every call carries one deadline, retries included.
 *
 * With several etcd members, calls are spread over the members that answer, and retried on
 * another member where that is safe (reads always; writes only when they never reached their
 * member): see EtcdMembers. While no member answers, calls fail as etcd unavailable.
 */
export class EtcdStorage {
  private readonly members: EtcdMembers;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(options: EtcdStorageOptions) {
    this.timeoutMs = options.requestTimeoutMs;
    const tls = options.tls;
    this.members = new EtcdMembers({
      endpoints: options.endpoints,
      requestTimeoutMs: options.requestTimeoutMs,
      onChange: options.onMemberChange,
      connect: (endpoint) =>
        new Etcd3({
          hosts: [endpoint],
          credentials: tls && {
            rootCertificate: Buffer.from(tls.caPem),
            privateKey: tls.keyPem === undefined ? undefined : Buffer.from(tls.keyPem),
            certChain: tls.certPem === undefined ? undefined : Buffer.from(tls.certPem),
          },
          ...memberClientOptions(options.requestTimeoutMs),
        }),
    });
  }

  /** The members' URLs that answered their last call (for health reporting and tests). */
  get answeringMembers(): string[] {
    return this.members.healthy.map((m) => m.url);
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const res = await this.call('read', (kv, deadline) => kv.range({ key: Buffer.from(key) }, { deadline }));
    return res.kvs[0] ? decode(res.kvs[0]) : undefined;
  }

  /** Reads one page of keys under `prefix`, from `startKey` on, at `revision` (0 = newest). */
  async list(
    prefix: string,
    opts: { limit?: number; startKey?: string; revision?: number } = {},
  ): Promise<ListPage> {
    const res = await this.call('read', (kv, deadline) =>
      kv.range(
        {
          key: Buffer.from(opts.startKey ?? prefix),
          range_end: prefixEnd(prefix),
          limit: opts.limit ?? 0,
          revision: opts.revision ?? 0,
        },
        { deadline },
      ),
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
    const res = await this.call('write', (kv, deadline) =>
      kv.txn(
        {
          compare: [{ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 }],
          success: [{ request_put: { key: Buffer.from(key), value: encode(object) } }],
        },
        { deadline },
      ),
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
    const res = await this.call('write', (kv, deadline) =>
      kv.txn(
        {
          compare: [
            { key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: expectedRevision },
          ],
          success: [{ request_put: { key: Buffer.from(key), value: encode(object) } }],
          failure: [{ request_range: { key: Buffer.from(key) } }],
        },
        { deadline },
      ),
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
    const res = await this.call('write', (kv, deadline) =>
      kv.txn(
        {
          compare: [
            { key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: expectedRevision },
          ],
          success: [{ request_delete_range: { key: Buffer.from(key), prev_kv: true } }],
          failure: [{ request_range: { key: Buffer.from(key) } }],
        },
        { deadline },
      ),
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
    const res = await this.call('write', (kv, deadline) =>
      kv.txn(
        {
          compare: [{ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 }],
          success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(value) } }],
        },
        { deadline },
      ),
    );
    return res.succeeded;
  }

  async release(key: string): Promise<void> {
    await this.call('write', (kv, deadline) => kv.deleteRange({ key: Buffer.from(key) }, { deadline }));
  }

  /** The keys under `prefix` at `revision` (0 = newest) with their mod_revision, without values. */
  async listKeys(prefix: string, revision = 0): Promise<{ keys: Map<string, number>; revision: number }> {
    const res = await this.call('read', (kv, deadline) =>
      kv.range(
        { key: Buffer.from(prefix), range_end: prefixEnd(prefix), keys_only: true, revision },
        { deadline },
      ),
    );
    return {
      keys: new Map(res.kvs.map((kv) => [kv.key.toString(), Number(kv.mod_revision)])),
      revision: revision || Number(res.header.revision),
    };
  }

  /** Keys under `prefix` with their raw values (for claims). */
  async listRaw(prefix: string): Promise<Map<string, string>> {
    const res = await this.call('read', (kv, deadline) =>
      kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix) }, { deadline }),
    );
    return new Map(res.kvs.map((kv) => [kv.key.toString(), kv.value.toString()]));
  }

  /** The store's newest revision. */
  async currentRevision(): Promise<number> {
    const res = await this.call('read', (kv, deadline) =>
      kv.range({ key: Buffer.from('/registry/'), count_only: true }, { deadline }),
    );
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    await this.call('write', (kv, deadline) => kv.compact({ revision, physical: true }, { deadline }));
  }

  /**
   * Streams every change under `prefix` after `fromRevision`, in revision order, from one member,
   * on a gRPC stream of its own. A compacted `fromRevision` (at the start, or a watch that fell
   * behind a compaction) ends the watch with Gone; losing the member or etcd ends it with
   * ServiceUnavailable and takes the member out of the choice until it answers again, so the
   * caller watches again from the last revision it saw.
   */
  async watch(
    prefix: string,
    fromRevision: number,
    handlers: WatchHandlers,
    options: { withPrevious?: boolean } = {},
  ): Promise<StorageWatch> {
    const member = this.members.pickForStream();
    let stream: Awaited<ReturnType<EtcdMember['client']['watchClient']['watch']>>;
    try {
      stream = await member.client.watchClient.watch();
    } catch (e) {
      this.members.markFailed(member);
      throw mapEtcdError(e);
    }
    let created = false;
    let ended = false;
    const close = () => {
      // Half-closing first ends the call without the library counting it as the member's failure.
      stream.end();
      stream.cancel();
    };
    return new Promise<StorageWatch>((resolve, reject) => {
      const end = (error: ApiError) => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        close();
        if (created) handlers.onEnd(error);
        else reject(error);
      };
      const timer = setTimeout(
        () => end(errors.timeout(`etcd did not start the watch within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      stream.on('data', (res: IWatchResponse) => {
        if (ended) return;
        if (res.canceled) {
          const compacted = res.compact_revision && res.compact_revision !== '0';
          end(
            compacted
              ? errors.gone(
                  `too old resource version: ${fromRevision} (compacted to ${res.compact_revision})`,
                )
              : errors.unavailable(`etcd canceled the watch: ${res.cancel_reason || 'no reason given'}`),
          );
          return;
        }
        if (res.created && !created) {
          created = true;
          clearTimeout(timer);
          resolve({
            stop: async () => {
              if (ended) return;
              ended = true;
              close();
            },
          });
        }
        if (res.events.length === 0) return;
        const batch: StorageEvent[] = [];
        for (const ev of res.events) {
          const key = ev.kv.key.toString();
          const revision = Number(ev.kv.mod_revision);
          const previous = ev.prev_kv ? decode(ev.prev_kv) : undefined;
          if (ev.type === 'Put') batch.push({ type: 'PUT', key, object: decode(ev.kv), previous, revision });
          else batch.push({ type: 'DELETE', key, previous, revision });
        }
        handlers.onEvents(batch);
      });
      stream.on('error', (err: Error) => {
        if (ended) return;
        this.members.markFailed(member, err);
        end(mapWatchError(err));
      });
      stream.on('end', () => {
        if (ended) return;
        this.members.markFailed(member);
        end(errors.unavailable('watch stream to etcd ended'));
      });
      stream.write({
        create_request: {
          key: Buffer.from(prefix),
          range_end: prefixEnd(prefix),
          start_revision: String(fromRevision + 1),
          prev_kv: Boolean(options.withPrevious),
        },
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.members.close();
  }

  private async call<T>(
    kind: EtcdCallKind,
    fn: (kv: EtcdMember['client']['kv'], deadline: number) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.members.call(
        kind,
        (member, deadline) => fn(member.client.kv, deadline),
        this.timeoutMs,
      );
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
