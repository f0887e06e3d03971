import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { errors, isApiError } from '../api/errors.js';
import { systemClock, type Clock } from '../api/clock.js';
import { findResource } from '../api/resources.js';
import type { DefaultingOptions } from '../api/schemas/index.js';
import type { KubeObject } from '../api/types.js';
import {
  RbacAuthorizer,
  TokenAuthenticator,
  anonymousUser,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  forbiddenError,
  withAuthenticatedGroup,
  type RequestAttributes,
  type UserInfo,
} from './auth/index.js';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  isServedGroup,
  versionInfo,
} from './discovery.js';
import { decodeBody, readBody, writeError, writeJson, writeText } from './http-io.js';
import { ApiMetrics } from './api-metrics.js';
import { ObjectStore } from './object-store.js';
import { openApiV3Document, openApiV3Root } from './openapi.js';
import { RbacCache } from './rbac-cache.js';
import { PrefixCache } from './storage/prefix-cache.js';
import { QuotaAdmission } from './quota-admission.js';
import { WriteHints } from './storage/write-hints.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { ResourceHandler } from './resource-handler.js';
import { ServiceAllocator } from './service-allocator.js';
import { Compactor } from './storage/compactor.js';
import { type EtcdClientTls, EtcdStorage } from './storage/etcd-storage.js';

export interface ApiServerOptions {
  etcdServers: string[];
  /** TLS to etcd (kube-apiserver's --etcd-cafile, --etcd-certfile, --etcd-keyfile); none: plain http. */
  etcdTls?: EtcdClientTls;
  bindAddress: string;
  /** 0 picks a free port. */
  port: number;
  /** The serving certificate and key (PEM): the API is served over HTTPS only, as kube-apiserver's secure port. */
  tls: { certPem: string; keyPem: string };
  /** Static bearer tokens (kube-apiserver's --token-auth-file); undefined admits anonymous requests. */
  tokens?: Map<string, UserInfo>;
  authorizationMode: 'RBAC' | 'AlwaysAllow';
  /** Deadline of each etcd call. */
  etcdRequestTimeoutMs: number;
  /** How often etcd is compacted (kube-apiserver's --etcd-compaction-interval, default 5 min); 0: never. */
  etcdCompactionIntervalMs?: number;
  /** Whether requests without a token pass as system:anonymous (kube-apiserver's --anonymous-auth). */
  anonymousAuth: boolean;
  /** Defaults that are apiserver settings, e.g. the pods' default toleration seconds. */
  defaulting?: DefaultingOptions;
  clock?: Clock;
  logger?: Logger;
}

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** URLs anyone may read, authenticated or not: kube-apiserver's system:public-info-viewer. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

/**
 * The orchestrator's kube-apiserver: REST and watch over etcd with authentication, RBAC and
 * admission. Stateless apart from etcd: any number may run against the same etcd.
 */
export class ApiServer {
  private readonly storage: EtcdStorage;
  private readonly store: ObjectStore;
  private readonly handler: ResourceHandler;
  private readonly rbac: RbacCache;
  private readonly namespaces: PrefixCache;
  private readonly quotas: PrefixCache;
  private readonly hints: WriteHints;
  private readonly compactor: Compactor;
  private readonly authorizer: RbacAuthorizer;
  private readonly authenticator?: TokenAuthenticator;
  private readonly metrics = new ApiMetrics();
  private readonly clock: Clock;
  private readonly log: Logger;
  private server?: Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(private readonly options: ApiServerOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? pino({ level: 'silent' });
    this.storage = new EtcdStorage({
      endpoints: options.etcdServers,
      requestTimeoutMs: options.etcdRequestTimeoutMs,
      tls: options.etcdTls,
    });
    this.hints = new WriteHints(this.storage);
    this.store = new ObjectStore(this.storage, this.clock, this.hints);
    this.namespaces = new PrefixCache(this.storage, '/registry/namespaces/');
    this.quotas = new PrefixCache(this.storage, '/registry/resourcequotas/');
    this.handler = new ResourceHandler(
      this.store,
      this.storage,
      new ServiceAllocator(this.storage),
      this.clock,
      this.namespaces,
      options.defaulting ?? {},
      new QuotaAdmission(this.store, this.clock, this.quotas),
    );
    this.rbac = new RbacCache(this.storage);
    this.compactor = new Compactor(this.storage, options.etcdCompactionIntervalMs ?? 5 * 60_000, this.log);
    this.authorizer = new RbacAuthorizer(this.rbac);
    if (options.tokens) this.authenticator = new TokenAuthenticator(options.tokens);
  }

  /** Listens, then bootstraps default namespaces and RBAC in the background until etcd answers. */
  async start(): Promise<{ url: string; port: number }> {
    const server = createServer(
      { keepAlive: true, requestTimeout: 0, cert: this.options.tls.certPem, key: this.options.tls.keyPem },
      (req, res) => void this.serve(req, res),
    );
    server.on('secureConnection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.bindAddress, () => resolve());
    });
    this.rbac.start();
    this.namespaces.start();
    this.quotas.start();
    this.compactor.start();
    void this.bootstrapUntilDone();
    const port = (server.address() as AddressInfo).port;
    return { url: `https://${this.options.bindAddress}:${port}`, port };
  }

  /** Stops serving and closes every open watch and connection. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      this.handler.closeWatches();
      server.closeIdleConnections();
      // Requests in flight get a moment to finish; then whatever is left is cut.
      const cut = setTimeout(() => this.sockets.forEach((s) => s.destroy()), 1000);
      await closed;
      clearTimeout(cut);
    }
    this.compactor.stop();
    await this.rbac.stop();
    await this.namespaces.stop();
    await this.quotas.stop();
    await this.hints.stop();
    this.storage.close();
  }

  private stopped = false;
  private bootstrapped = false;

  private async bootstrapUntilDone(): Promise<void> {
    while (!this.stopped && !this.bootstrapped) {
      try {
        await this.bootstrap();
        this.bootstrapped = true;
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'bootstrap failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Creates what every cluster starts with; "already exists" is success, so restarts are harmless. */
  private async bootstrap(): Promise<void> {
    const ns = findResource('', 'v1', 'namespaces')!;
    const roles = findResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;
    const bindings = findResource('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings')!;
    const objects: [typeof ns, KubeObject][] = [
      ...DEFAULT_NAMESPACES.map((name): [typeof ns, KubeObject] => [
        ns,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] } },
      ]),
      ...bootstrapClusterRoles().map((r): [typeof ns, KubeObject] => [roles, r]),
      ...bootstrapClusterRoleBindings().map((b): [typeof ns, KubeObject] => [bindings, b]),
    ];
    for (const [resource, obj] of objects) {
      try {
        await this.store.create(resource, obj);
      } catch (e) {
        if (!isApiError(e, 'AlreadyExists')) throw e;
      }
    }
  }

  get ready(): boolean {
    return this.bootstrapped;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let info: RequestInfo | undefined;
    let code = 200;
    try {
      const url = new URL(req.url ?? '/', 'http://apiserver');
      info = parseRequestInfo(req.method ?? 'GET', url);
      const user = this.authenticate(req, info);
      await this.authorize(user, info);
      await this.route(info, user, req, res, url);
      code = res.statusCode;
    } catch (e) {
      const err = writeError(res, e);
      code = err.code;
      if (err.code >= 500)
        this.log.warn({ path: req.url, method: req.method, err: err.message }, 'request failed');
    } finally {
      const verb = info?.verb ?? 'unknown';
      // Watches are long-lived; their duration says nothing about latency.
      if (verb !== 'watch') {
        this.metrics.observe(
          verb,
          info?.kind === 'resource' ? info.resourceName : 'nonresource',
          code,
          (performance.now() - started) / 1000,
        );
      }
    }
  }

  private authenticate(req: IncomingMessage, info: RequestInfo): UserInfo {
    const header = req.headers.authorization;
    if (header && this.authenticator) {
      const user = this.authenticator.authenticate(header);
      if (!user) throw errors.unauthorized();
      return withAuthenticatedGroup(user);
    }
    if (!this.authenticator) return { ...anonymousUser(), groups: ['system:unauthenticated'] };
    if (this.options.anonymousAuth || (info.kind === 'nonResource' && PUBLIC_PATHS.has(info.path)))
      return anonymousUser();
    throw errors.unauthorized();
  }

  private async authorize(user: UserInfo, info: RequestInfo): Promise<void> {
    if (this.options.authorizationMode === 'AlwaysAllow') return;
    if (
      info.kind === 'nonResource' &&
      (PUBLIC_PATHS.has(info.path) || info.path.startsWith('/readyz/') || info.path.startsWith('/livez/'))
    )
      return;
    const attrs = toAttributes(user, info);
    const decision = await this.authorizer.authorize(attrs);
    if (!decision.allowed) throw forbiddenError(attrs, decision.evaluationError ?? '');
  }

  private async route(
    info: RequestInfo,
    user: UserInfo,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    if (info.kind === 'nonResource') return this.serveNonResource(info.path, req, res);
    if (
      info.group === 'authorization.k8s.io' &&
      info.version === 'v1' &&
      info.resourceName === 'selfsubjectaccessreviews'
    ) {
      if (info.verb !== 'create')
        throw errors.methodNotAllowed('selfsubjectaccessreviews support only create');
      return this.selfSubjectAccessReview(user, req, res);
    }
    if (!info.resource) {
      throw errors.notFound(info.resourceName, info.group, info.name || info.resourceName);
    }
    if (
      info.namespace === '' &&
      info.resource.namespaced &&
      !['list', 'watch', 'deletecollection'].includes(info.verb)
    ) {
      throw errors.notFound(info.resourceName, info.group, info.name || info.resourceName);
    }
    if (!info.resource.namespaced && info.namespace)
      throw errors.notFound(info.resourceName, info.group, info.name);
    return this.handler.handle(info, info.resource, req, res, url);
  }

  private async serveNonResource(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw errors.methodNotAllowed(`${req.method} is not supported on ${path}`);
    if (path === '/livez' || path.startsWith('/livez/')) return writeText(res, 200, 'ok');
    if (
      path === '/healthz' ||
      path === '/readyz' ||
      path.startsWith('/readyz/') ||
      path.startsWith('/healthz/')
    ) {
      return this.serveHealth(res);
    }
    if (path === '/version') return writeJson(res, 200, versionInfo());
    if (path === '/metrics')
      return writeText(res, 200, await this.metrics.render(), this.metrics.contentType);
    if (path === '/openapi/v3') return writeJson(res, 200, openApiV3Root());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiV3Document(path.slice('/openapi/v3/'.length));
      if (!doc) throw errors.notFound('', '', path);
      return writeJson(res, 200, doc);
    }
    if (path === '/api') return writeJson(res, 200, apiVersions(req.headers.host ?? ''));
    if (path === '/apis') return writeJson(res, 200, apiGroupList());
    if (parts[0] === 'api' && parts.length === 2) return this.serveResourceList(res, '', parts[1]!);
    if (parts[0] === 'apis' && parts.length === 2 && isServedGroup(parts[1]!)) {
      const version = parts[1] === 'authorization.k8s.io' ? 'v1' : 'v1';
      return writeJson(res, 200, apiGroup(parts[1]!, version));
    }
    if (parts[0] === 'apis' && parts.length === 3) return this.serveResourceList(res, parts[1]!, parts[2]!);
    throw errors.notFound('', '', path);
  }

  private serveResourceList(res: ServerResponse, group: string, version: string): void {
    const list = apiResourceList(group, version);
    if (!list) throw errors.notFound('', '', group ? `/apis/${group}/${version}` : `/api/${version}`);
    writeJson(res, 200, list);
  }

  /** Ready means etcd answers within the deadline and the bootstrap objects exist. */
  private async serveHealth(res: ServerResponse): Promise<void> {
    try {
      await this.storage.currentRevision();
    } catch (e) {
      return writeText(res, 500, `[-]etcd failed: ${(e as Error).message}\nhealthz check failed\n`);
    }
    if (!this.bootstrapped)
      return writeText(res, 500, '[-]poststarthook/bootstrap failed: not finished\nhealthz check failed\n');
    writeText(res, 200, 'ok');
  }

  private async selfSubjectAccessReview(
    user: UserInfo,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const review = decodeBody(await readBody(req), req.headers['content-type']) as {
      spec?: {
        resourceAttributes?: {
          namespace?: string;
          verb?: string;
          group?: string;
          resource?: string;
          subresource?: string;
          name?: string;
        };
        nonResourceAttributes?: { path?: string; verb?: string };
      };
    };
    const spec = review?.spec ?? {};
    let attrs: RequestAttributes;
    if (spec.resourceAttributes) {
      const a = spec.resourceAttributes;
      attrs = {
        user,
        verb: a.verb ?? '',
        apiGroup: a.group ?? '',
        resource: a.resource ?? '',
        subresource: a.subresource ?? '',
        namespace: a.namespace ?? '',
        name: a.name ?? '',
        resourceRequest: true,
        path: '',
      };
    } else if (spec.nonResourceAttributes) {
      const a = spec.nonResourceAttributes;
      attrs = {
        user,
        verb: a.verb ?? '',
        apiGroup: '',
        resource: '',
        subresource: '',
        namespace: '',
        name: '',
        resourceRequest: false,
        path: a.path ?? '',
      };
    } else {
      throw errors.invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', [
        {
          field: 'spec.resourceAttributes',
          reason: 'FieldValueRequired',
          message:
            'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
        },
      ]);
    }
    const decision =
      this.options.authorizationMode === 'AlwaysAllow'
        ? { allowed: true, reason: 'AlwaysAllow' }
        : await this.authorizer.authorize(attrs);
    writeJson(res, 201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      // kube-apiserver's RBAC authorizer gives no reason for a denial, only for an evaluation error.
      status: {
        allowed: decision.allowed,
        reason: decision.allowed ? decision.reason : (decision.evaluationError ?? ''),
      },
    });
  }
}

function toAttributes(user: UserInfo, info: RequestInfo): RequestAttributes {
  if (info.kind === 'nonResource') {
    return {
      user,
      verb: info.verb,
      apiGroup: '',
      resource: '',
      subresource: '',
      namespace: '',
      name: '',
      resourceRequest: false,
      path: info.path,
    };
  }
  // A namespace addresses itself: RBAC sees `get namespaces/x` in namespace x, as kube-apiserver does.
  const namespace = info.resourceName === 'namespaces' && info.name ? info.name : info.namespace;
  return {
    user,
    verb: info.verb,
    apiGroup: info.group,
    resource: info.resourceName,
    subresource: info.subresource,
    namespace,
    name: info.name,
    resourceRequest: true,
    path: info.path,
  };
}
