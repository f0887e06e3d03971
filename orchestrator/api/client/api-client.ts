import { Agent, request, type Dispatcher } from 'undici';
import { ApiError, errors } from '../errors.js';
import { apiVersionOf, type ResourceType } from '../resources.js';
import type { KubeList, KubeObject, Status, WatchEvent } from '../types.js';
import { sleep, systemTimers } from './timer-scheduler.js';

export interface ApiClientOptions {
  /** apiserver URLs; a connection failure moves to the next. */
  servers: string[];
  token?: string;
  /** A client certificate and its key (PEM), as a kubeconfig's client-certificate-data gives them. */
  clientCert?: ClientCertificate;
  /** CA certificate (PEM) the apiserver's serving certificate is signed by. */
  caPem?: string;
  /** Deadline of each request (watches excepted). */
  timeoutMs?: number;
  /** Retries of a request that failed retriably (connection, 429, 5xx for reads). */
  retries?: number;
  userAgent?: string;
}

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

/** What `listAll` reads: a namespace (all when absent or ''), selectors, and the page size. */
export interface ListAllOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per page; one unpaged list when absent. */
  limit?: number;
  /** Stops before the next page once aborted, rejecting with its reason. */
  signal?: AbortSignal;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** How `getPath` reads one URL of the apiserver. */
export interface GetPathOptions {
  /** Retries of a failure that may pass (connection, 429, 5xx); default the client's. */
  retries?: number;
  /** Gives up once aborted, rejecting with its reason. */
  signal?: AbortSignal;
}

/**
 * The apiserver path of `path` on node `node`'s kubelet, through the node proxy
 * (`/api/v1/nodes/{node}/proxy/{path}`): `nodeProxyPath('worker-1', '/pods')`.
 */
export function nodeProxyPath(node: string, path: string): string {
  return `/api/v1/nodes/${encodeURIComponent(node)}/proxy/${path.replace(/^\/+/, '')}`;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A typed client of the Kubernetes API, as client-go's REST client: per-call deadlines, retries
 * with back-off on 429, 5xx (reads) and connection failures, failover across apiservers. Every
 * failure is an ApiError: the server's Status, or ServiceUnavailable/Timeout for the network.
 */
export class ApiClient {
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private current = 0;

  constructor(private readonly options: ApiClientOptions) {
    if (options.servers.length === 0) throw new RangeError('ApiClient needs at least one server URL');
    this.dispatcher = new Agent({
      connect: {
        ca: options.caPem,
        ...(options.clientCert ? { cert: options.clientCert.certPem, key: options.clientCert.keyPem } : {}),
        timeout: options.timeoutMs ?? 5000,
      },
      keepAliveTimeout: 30_000,
      connections: 64,
    });
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 3;
  }

  /** The apiserver currently in use. */
  get server(): string {
    return this.options.servers[this.current]!;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  path(r: ResourceType, namespace = '', name = '', subresource = ''): string {
    const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${r.resource}${name ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
  }

  get<T extends KubeObject>(r: ResourceType, namespace: string, name: string): Promise<T> {
    return this.call<T>('GET', this.path(r, namespace, name));
  }

  /** Like get, but undefined for NotFound. */
  async tryGet<T extends KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.get<T>(r, namespace, name);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  list<T extends KubeObject>(r: ResourceType, namespace = '', opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.call<KubeList<T>>('GET', this.path(r, namespace) + query(opts));
  }

  create<T extends KubeObject>(r: ResourceType, obj: T, subresource = ''): Promise<T> {
    return this.call<T>(
      'POST',
      this.path(r, obj.metadata.namespace, subresource ? obj.metadata.name : '', subresource),
      withTypeMeta(r, obj),
    );
  }

  update<T extends KubeObject>(r: ResourceType, obj: T): Promise<T> {
    return this.call<T>('PUT', this.path(r, obj.metadata.namespace, obj.metadata.name), withTypeMeta(r, obj));
  }

  updateStatus<T extends KubeObject>(r: ResourceType, obj: T): Promise<T> {
    return this.updateSubresource(r, obj, 'status');
  }

  /** PUT to a subresource of the object: `status`, or a namespace's `finalize`. */
  updateSubresource<T extends KubeObject>(r: ResourceType, obj: T, subresource: string): Promise<T> {
    return this.call<T>(
      'PUT',
      this.path(r, obj.metadata.namespace, obj.metadata.name, subresource),
      withTypeMeta(r, obj),
    );
  }

  patch<T extends KubeObject>(
    r: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    type: PatchType = 'merge',
    subresource = '',
    fieldManager?: string,
  ): Promise<T> {
    const q = fieldManager ? `?fieldManager=${encodeURIComponent(fieldManager)}` : '';
    return this.call<T>(
      'PATCH',
      this.path(r, namespace, name, subresource) + q,
      body,
      PATCH_CONTENT_TYPES[type],
    );
  }

  delete(
    r: ResourceType,
    namespace: string,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<KubeObject | Status> {
    return this.call('DELETE', this.path(r, namespace, name), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      ...opts,
    });
  }

  /**
   * GETs any path of the apiserver (`/api/v1/nodes/worker-1/proxy/pods`, `/version`) and parses
   * its JSON answer, with the deadline, retries, failover and errors of every other call: an
   * answer other than 2xx rejects with its Status as ApiError.
   */
  getPath<T = unknown>(path: string, opts: GetPathOptions = {}): Promise<T> {
    return this.call<T>('GET', path.startsWith('/') ? path : `/${path}`, undefined, undefined, opts);
  }

  /**
   * Evicts a pod through the Eviction API (pods/eviction, a policy/v1 Eviction), which deletes it
   * only if its PodDisruptionBudget allows. A refusal rejects with ApiError TooManyRequests (429),
   * which is retried only as `opts.retries` says: default none, so a caller draining a node
   * decides itself when to try again (kubectl drain waits 5 s).
   */
  async evict(
    podsResource: ResourceType,
    namespace: string,
    pod: string,
    opts: GetPathOptions & { deleteOptions?: DeleteOptions } = {},
  ): Promise<void> {
    await this.call(
      'POST',
      this.path(podsResource, namespace, pod, 'eviction'),
      {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: pod, namespace },
        ...(opts.deleteOptions ? { deleteOptions: opts.deleteOptions } : {}),
      },
      'application/json',
      { retries: opts.retries ?? 0, signal: opts.signal },
    );
  }

  /** Binds an unscheduled pod to a node (pods/binding). */
  async bind(namespace: string, pod: string, node: string, podsResource: ResourceType): Promise<void> {
    await this.call('POST', this.path(podsResource, namespace, pod, 'binding'), {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod, namespace },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    });
  }

  /**
   * Streams watch events to `onEvent` until the server ends the stream, `signal` aborts it, or
   * the connection fails (rejecting). An ERROR event rejects with its Status as ApiError (410
   * Gone: the caller relists).
   */
  async watch<T extends KubeObject>(
    r: ResourceType,
    namespace: string,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const path = this.path(r, namespace) + query({ ...opts, watch: 'true' });
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.server + path, {
        method: 'GET',
        headers: this.headers(),
        dispatcher: this.dispatcher,
        signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: 0,
      });
    } catch (e) {
      if (signal?.aborted) return;
      this.failover();
      throw networkError(e);
    }
    if (res.statusCode >= 300) throw await errorOf(res);
    const events: WatchEvent<T>[] = [];
    let handlerError: unknown;
    // Handlers' exceptions are theirs, not the network's: kept apart and rethrown as they are.
    const deliver = () => {
      for (const ev of events.splice(0)) {
        try {
          onEvent(ev);
        } catch (e) {
          handlerError ??= e;
        }
      }
      if (handlerError !== undefined) throw new HandlerFailure(handlerError);
    };
    let buffered = '';
    try {
      for await (const chunk of res.body) {
        buffered += chunk.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as WatchEvent<T>;
          if (ev.type === 'ERROR') {
            const status = ev.object as Status;
            throw ApiError.fromStatus(status, status.code ?? 500);
          }
          events.push(ev);
        }
        deliver();
      }
    } catch (e) {
      if (e instanceof HandlerFailure) throw e.cause;
      if (signal?.aborted) return;
      if (e instanceof ApiError) throw e;
      throw networkError(e);
    }
  }

  private headers(contentType?: string): Record<string, string> {
    const h: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'crucible',
    };
    if (this.options.token) h.authorization = `Bearer ${this.options.token}`;
    if (contentType) h['content-type'] = contentType;
    return h;
  }

  private async call<T>(
    method: Method,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    opts: GetPathOptions = {},
  ): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const retries = opts.retries ?? this.retries;
    let lastError: ApiError | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (lastError) await sleep(systemTimers, backoff(attempt, lastError));
      opts.signal?.throwIfAborted();
      let res: Dispatcher.ResponseData;
      try {
        const deadline = AbortSignal.timeout(this.timeoutMs);
        res = await request(this.server + path, {
          method,
          headers: this.headers(body === undefined ? undefined : contentType),
          body: payload,
          dispatcher: this.dispatcher,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
          signal: opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline,
        });
      } catch (e) {
        opts.signal?.throwIfAborted();
        lastError = networkError(e);
        this.failover();
        // A request that may have reached the server is retried only when repeating it is safe.
        if (method === 'GET' || isConnectRefused(e)) continue;
        throw lastError;
      }
      if (res.statusCode < 300) {
        try {
          return (await res.body.json()) as T;
        } catch (e) {
          throw networkError(e);
        }
      }
      lastError = await errorOf(res);
      const retriable =
        lastError.code === 429 || (lastError.code >= 500 && (method === 'GET' || lastError.code === 503));
      if (!retriable) throw lastError;
    }
    throw lastError ?? errors.unavailable('no attempt made');
  }

  private failover(): void {
    if (this.options.servers.length > 1) this.current = (this.current + 1) % this.options.servers.length;
  }
}

/**
 * Everything of `r` that matches, page by page following the `continue` tokens, and the
 * resourceVersion of the last page (a watch from it misses nothing). A token outlived by a
 * compaction rejects with 410 Gone, as the page does. Takes any client that can list, so that an
 * informer's stand-in client pages the same way.
 */
export async function listAll<T extends KubeObject = KubeObject>(
  client: Pick<ApiClient, 'list'>,
  r: ResourceType,
  opts: ListAllOptions = {},
): Promise<{ items: T[]; resourceVersion: string }> {
  const { namespace = '', labelSelector, fieldSelector, limit, signal } = opts;
  const items: T[] = [];
  let resourceVersion = '';
  let cont: string | undefined;
  do {
    signal?.throwIfAborted();
    const page = await client.list<T>(r, namespace, { labelSelector, fieldSelector, limit, continue: cont });
    items.push(...page.items);
    resourceVersion = page.metadata.resourceVersion ?? '';
    cont = page.metadata.continue || undefined;
  } while (cont);
  return { items, resourceVersion };
}

/** Wraps an exception thrown by a watch handler on its way out of the stream loop. */
class HandlerFailure {
  constructor(readonly cause: unknown) {}
}

function withTypeMeta<T extends KubeObject>(r: ResourceType, obj: T): T {
  return { ...obj, apiVersion: obj.apiVersion || apiVersionOf(r), kind: obj.kind || r.kind };
}

function query(params: object): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  if (entries.length === 0) return '';
  return '?' + entries.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
}

async function errorOf(res: Dispatcher.ResponseData): Promise<ApiError> {
  const text = await res.body.text();
  try {
    const status = JSON.parse(text) as Partial<Status>;
    const err = ApiError.fromStatus(status, res.statusCode);
    const retryAfter = Number(res.headers['retry-after']);
    if (retryAfter > 0)
      return new ApiError(
        err.reason,
        err.message,
        { ...err.details, retryAfterSeconds: retryAfter },
        err.code,
      );
    return err;
  } catch {
    return ApiError.fromStatus({ message: text.slice(0, 200) || `HTTP ${res.statusCode}` }, res.statusCode);
  }
}

function networkError(e: unknown): ApiError {
  const err = e as Error & { code?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  if (err.name === 'TimeoutError' || /timeout/i.test(code))
    return errors.timeout(`apiserver did not answer in time: ${err.message}`);
  return errors.unavailable(`apiserver unreachable: ${code || err.message}`);
}

function isConnectRefused(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string } };
  return err.code === 'ECONNREFUSED' || err.cause?.code === 'ECONNREFUSED';
}

function backoff(attempt: number, err: ApiError): number {
  const retryAfter = err.details?.retryAfterSeconds;
  if (retryAfter) return retryAfter * 1000;
  return Math.min(1000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
}
