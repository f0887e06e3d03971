import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Sabotages } from '../api/sabotage.js';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { pino, type Logger } from 'pino';
import { errors, isApiError } from '../api/errors.js';
import { systemClock, type Clock } from '../api/clock.js';
import { findResource } from '../api/resources.js';
import type { DefaultingOptions } from '../api/schemas/index.js';
import type { PortRange } from '../api/port-range.js';
import type { KubeObject } from '../api/types.js';
import { parseFieldSelector, type FieldRequirement } from '../api/selectors/index.js';
import {
  AlwaysAllowAuthorizer,
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  NodeAuthorizer,
  RbacAuthorizer,
  ServiceAccountTokenAuthenticator,
  ServiceAccountTokenSigner,
  TokenAuthenticator,
  UnionAuthorizer,
  anonymousUser,
  authenticateClientCertificate,
  bearerToken,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapRoleBindings,
  bootstrapRoles,
  forbiddenError,
  nonResourceAttributes,
  generateSigningKey,
  withAuthenticatedGroup,
  type Authorizer,
  type RequestAttributes,
  type SigningKey,
  type UserInfo,
  type VerificationKey,
} from './auth/index.js';
import { AuthLookups } from './auth-lookups.js';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  isServedGroup,
  preferredVersion,
  versionInfo,
} from './discovery.js';
import { decodeBody, readBody, writeError, writeJson, writeText } from './http-io.js';
import { ApiMetrics } from './api-metrics.js';
import { NodeRestriction } from './node-restriction.js';
import { ObjectStore } from './object-store.js';
import { openApiV3Document, openApiV3Root } from './openapi.js';
import { RbacCache } from './rbac-cache.js';
import { QuotaAdmission } from './quota-admission.js';
import { Cachers, type CacherOptions } from './cacher/index.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { ResourceHandler } from './resource-handler.js';
import { ServiceAllocator } from './service-allocator.js';
import { Compactor } from './storage/compactor.js';
import { type EtcdClientTls, EtcdStorage } from './storage/etcd-storage.js';
import { TokenRequestHandler } from './token-request-handler.js';
import { EvictionHandler } from './eviction-handler.js';
import { ResourceMetricsHandler } from './resource-metrics-handler.js';
import { METRICS_GROUP } from '../api/resource-metrics.js';

/** An authorization mode of `--authorization-mode`. */
export type AuthorizationMode = 'Node' | 'RBAC' | 'AlwaysAllow';

/**
 * How service account tokens are signed and verified (kube-apiserver's `--service-account-*`
 * flags). Every apiserver of a cluster should share them, so that each accepts the others' tokens.
 */
export interface ServiceAccountTokenOptions {
  /** The issuers whose tokens are accepted; the first is the issuer of the tokens signed here. */
  issuers: string[];
  signingKey: SigningKey;
  /** The keys a token's signature may be made with (--service-account-key-file). */
  verificationKeys: VerificationKey[];
  /** The audiences a token must be for (--api-audiences); default: the issuers. */
  apiAudiences?: string[];
}

export interface ApiServerOptions {
  etcdServers: string[];
  /** TLS to etcd (kube-apiserver's --etcd-cafile, --etcd-certfile, --etcd-keyfile); none: plain http. */
  etcdTls?: EtcdClientTls;
  bindAddress: string;
  /** 0 picks a free port. */
  port: number;
  /** The serving certificate and key (PEM): the API is served over HTTPS only, as kube-apiserver's secure port. */
  tls: { certPem: string; keyPem: string };
  /**
   * The CA (PEM) whose client certificates authenticate (kube-apiserver's --client-ca-file): the
   * subject's common name is the user, its organizations the groups. None: certificates are not asked for.
   */
  clientCaPem?: string;
  /**
   * Static bearer tokens (kube-apiserver's --token-auth-file); undefined admits every request
   * without a valid service account token as anonymous.
   */
  tokens?: Map<string, UserInfo>;
  /** The authorization modes, asked in order, the first that allows deciding (--authorization-mode). */
  authorizationModes: AuthorizationMode[];
  /** Whether the NodeRestriction admission plugin runs; default true. */
  nodeRestriction?: boolean;
  /**
   * Service account token keys and issuers; without them a key pair is made in memory, so this
   * apiserver alone accepts the tokens it signs, until it restarts.
   */
  serviceAccountTokens?: ServiceAccountTokenOptions;
  /** Deadline of each etcd call. */
  etcdRequestTimeoutMs: number;
  /** How often etcd is compacted (kube-apiserver's --etcd-compaction-interval, default 5 min); 0: never. */
  etcdCompactionIntervalMs?: number;
  /** Whether requests without a token pass as system:anonymous (kube-apiserver's --anonymous-auth). */
  anonymousAuth: boolean;
  /** The watch cache's window and how it treats slow watchers; defaults as kube-apiserver's. */
  watchCache?: CacherOptions;
  /** Defaults that are apiserver settings, e.g. the pods' default toleration seconds. */
  defaulting?: DefaultingOptions;
  /** The ports Services' node ports come from (--service-node-port-range); default 30000-32767. */
  serviceNodePortRange?: PortRange;
  clock?: Clock;
  logger?: Logger;
  /** Known bugs turned on (`--sabotage-*`, orchestrator/api/sabotage.ts); none when absent. */
  sabotages?: Sabotages;
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
  private readonly resourceMetrics: ResourceMetricsHandler;
  private readonly rbac: RbacCache;
  private readonly cachers: Cachers;
  private readonly compactor: Compactor;
  private readonly authorizer: Authorizer;
  private readonly authenticator?: TokenAuthenticator;
  private readonly serviceAccountAuthenticator: ServiceAccountTokenAuthenticator;
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
      onMemberChange: (member, answering, why) =>
        answering
          ? this.log.info({ member }, 'etcd member answers again')
          : this.log.warn({ member, err: why }, 'etcd member failed; calls go to the others'),
    });
    this.cachers = new Cachers(this.storage, { ...options.watchCache, logger: this.log });
    this.store = new ObjectStore(this.storage, this.clock, this.cachers);
    const lookups = new AuthLookups(this.store);
    const tokens = serviceAccountTokenOptions(options.serviceAccountTokens);
    const audiences = tokens.apiAudiences ?? tokens.issuers;
    const nodeRestriction = options.nodeRestriction === false ? undefined : new NodeRestriction();
    this.handler = new ResourceHandler(
      this.store,
      this.cachers,
      new ServiceAllocator(this.storage, options.serviceNodePortRange),
      this.clock,
      options.defaulting ?? {},
      new QuotaAdmission(this.store, this.clock, this.cachers.for(findResource('', 'v1', 'resourcequotas')!)),
      new TokenRequestHandler(this.store, this.clock, nodeRestriction, {
        signer: new ServiceAccountTokenSigner(tokens.issuers[0]!, tokens.signingKey),
        audiences,
      }),
      new EvictionHandler(this.store, this.clock, nodeRestriction),
      nodeRestriction,
      options.sabotages,
    );
    this.resourceMetrics = new ResourceMetricsHandler(this.store, this.cachers, this.clock);
    this.rbac = new RbacCache(this.cachers, this.storage);
    this.compactor = new Compactor(this.storage, options.etcdCompactionIntervalMs ?? 5 * 60_000, this.log);
    this.authorizer = new UnionAuthorizer(
      options.authorizationModes.map((mode): Authorizer => {
        if (mode === 'Node') return new NodeAuthorizer(lookups);
        if (mode === 'RBAC') return new RbacAuthorizer(this.rbac);
        return new AlwaysAllowAuthorizer();
      }),
    );
    if (options.tokens) this.authenticator = new TokenAuthenticator(options.tokens);
    this.serviceAccountAuthenticator = new ServiceAccountTokenAuthenticator({
      issuers: tokens.issuers,
      keys: tokens.verificationKeys,
      audiences,
      getter: lookups,
      clock: this.clock,
    });
  }

  /** Listens, then bootstraps default namespaces and RBAC in the background until etcd answers. */
  async start(): Promise<{ url: string; port: number }> {
    const clientCa = this.options.clientCaPem;
    const server = createServer(
      {
        keepAlive: true,
        requestTimeout: 0,
        cert: this.options.tls.certPem,
        key: this.options.tls.keyPem,
        // A certificate is asked for, never required: clients with a token present none.
        ...(clientCa ? { requestCert: true, rejectUnauthorized: false, ca: clientCa } : {}),
      },
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
    this.cachers.start();
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
    await this.cachers.stop();
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
    const namespacedRoles = findResource('rbac.authorization.k8s.io', 'v1', 'roles')!;
    const namespacedBindings = findResource('rbac.authorization.k8s.io', 'v1', 'rolebindings')!;
    const objects: [typeof ns, KubeObject][] = [
      ...DEFAULT_NAMESPACES.map((name): [typeof ns, KubeObject] => [
        ns,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] } },
      ]),
      ...bootstrapClusterRoles().map((r): [typeof ns, KubeObject] => [roles, r]),
      ...bootstrapClusterRoleBindings().map((b): [typeof ns, KubeObject] => [bindings, b]),
      ...bootstrapRoles().map((r): [typeof ns, KubeObject] => [namespacedRoles, r]),
      ...bootstrapRoleBindings().map((b): [typeof ns, KubeObject] => [namespacedBindings, b]),
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
      const user = await this.authenticate(req, info);
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

  /**
   * kube-apiserver's authentication chain: a client certificate signed by the client CA, then the
   * token file's tokens, then service account tokens; a bearer token neither accepts is a 401, as
   * is a service account token whose objects cannot be looked up, and a client certificate the CA
   * did not sign when nothing else authenticates. Without a token file every request that is no
   * valid service account token or certificate is anonymous.
   */
  private async authenticate(req: IncomingMessage, info: RequestInfo): Promise<UserInfo> {
    const certificate = this.options.clientCaPem
      ? authenticateClientCertificate(req.socket as TLSSocket)
      : undefined;
    if (certificate && 'user' in certificate) return certificate.user;
    if (certificate) this.log.debug({ reason: certificate.refused }, 'client certificate refused');
    const header = req.headers.authorization;
    const token = bearerToken(header);
    if (token !== undefined) {
      const fromFile = this.authenticator?.authenticate(header);
      if (fromFile) return withAuthenticatedGroup(fromFile);
      const verdict = await this.serviceAccountAuthenticator.authenticate(token).catch((e: unknown) => ({
        refused: `looking up the token's objects failed: ${(e as Error).message}`,
      }));
      if (verdict && 'user' in verdict) return verdict.user;
      if (verdict) this.log.debug({ reason: verdict.refused }, 'service account token refused');
      if (this.authenticator) throw errors.unauthorized();
    } else if (header && this.authenticator) {
      throw errors.unauthorized();
    }
    if (certificate) throw errors.unauthorized();
    if (!this.authenticator) return { ...anonymousUser(), groups: ['system:unauthenticated'] };
    if (this.options.anonymousAuth || (info.kind === 'nonResource' && PUBLIC_PATHS.has(info.path)))
      return anonymousUser();
    throw errors.unauthorized();
  }

  private async authorize(user: UserInfo, info: RequestInfo): Promise<void> {
    if (
      info.kind === 'nonResource' &&
      (PUBLIC_PATHS.has(info.path) || info.path.startsWith('/readyz/') || info.path.startsWith('/livez/'))
    )
      return;
    const attrs = toAttributes(user, info);
    const decision = await this.authorizer.authorize(attrs);
    if (!decision.allowed) throw forbiddenError(attrs, decision.forbiddenReason ?? '');
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
    if (info.group === METRICS_GROUP) return this.resourceMetrics.handle(info, req, res, url);
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
    return this.handler.handle(info, info.resource, req, res, url, user);
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
      return writeJson(res, 200, apiGroup(parts[1]!, preferredVersion(parts[1]!)));
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
          fieldSelector?: {
            rawSelector?: string;
            requirements?: { key?: string; operator?: string; values?: string[] }[];
          };
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
        fieldSelector: reviewFieldSelector(a.fieldSelector, a.resource ?? ''),
      };
    } else if (spec.nonResourceAttributes) {
      const a = spec.nonResourceAttributes;
      attrs = nonResourceAttributes(user, a.verb ?? '', a.path ?? '');
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
    const decision = await this.authorizer.authorize(attrs);
    writeJson(res, 201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      // kube-apiserver's authorizers give no reason for most denials, only why they could not allow.
      status: {
        allowed: decision.allowed,
        reason: decision.allowed ? decision.reason : (decision.forbiddenReason ?? ''),
      },
    });
  }
}

function toAttributes(user: UserInfo, info: RequestInfo): RequestAttributes {
  if (info.kind === 'nonResource') return nonResourceAttributes(user, info.verb, info.path);
  // A namespace addresses itself: RBAC sees `get namespaces/x` in namespace x, as kube-apiserver does.
  const namespace = info.resourceName === 'namespaces' && info.name ? info.name : info.namespace;
  const listing = info.verb === 'list' || info.verb === 'watch';
  const fieldSelector = listing ? parsedFieldSelector(info.fieldSelector, info.resourceName) : undefined;
  // A list or watch of one object by name is authorized as a request for that name, as
  // kube-apiserver's RequestInfoFactory takes it from the field selector.
  const selectedName =
    fieldSelector?.find((r) => r.field === 'metadata.name' && r.operator === '=')?.value ?? '';
  return {
    user,
    verb: info.verb,
    apiGroup: info.group,
    resource: info.resourceName,
    subresource: info.subresource,
    namespace,
    name: info.name || (isPathSegmentName(selectedName) ? selectedName : ''),
    resourceRequest: true,
    path: info.path,
    ...(fieldSelector ? { fieldSelector } : {}),
  };
}

/** The terms of a request's field selector, or undefined when it has none or one that does not parse. */
function parsedFieldSelector(text: string, resource: string): readonly FieldRequirement[] | undefined {
  if (!text) return undefined;
  try {
    return parseFieldSelector(text, resource).requirements;
  } catch {
    // The list itself answers 400 for it; authorization goes on as if there were no selector.
    return undefined;
  }
}

/**
 * A SelfSubjectAccessReview's field selector: its requirements when given (`In` or `NotIn` one
 * value, as a field selector can express), else its raw selector.
 */
function reviewFieldSelector(
  selector:
    | { rawSelector?: string; requirements?: { key?: string; operator?: string; values?: string[] }[] }
    | undefined,
  resource: string,
): readonly FieldRequirement[] | undefined {
  if (!selector) return undefined;
  if (selector.requirements?.length) {
    return selector.requirements.flatMap((r): FieldRequirement[] => {
      if (!r.key || r.values?.length !== 1) return [];
      if (r.operator === 'In') return [{ field: r.key, operator: '=', value: r.values[0]! }];
      if (r.operator === 'NotIn') return [{ field: r.key, operator: '!=', value: r.values[0]! }];
      return [];
    });
  }
  return parsedFieldSelector(selector.rawSelector ?? '', resource);
}

/** A name usable as one URL path segment (Kubernetes' IsValidPathSegmentName). */
function isPathSegmentName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

/** The options given, or a key pair made now and the default issuer. */
function serviceAccountTokenOptions(
  given: ServiceAccountTokenOptions | undefined,
): ServiceAccountTokenOptions {
  if (given) return given;
  const signingKey = generateSigningKey();
  return {
    issuers: [DEFAULT_SERVICE_ACCOUNT_ISSUER],
    signingKey,
    verificationKeys: [{ kid: signingKey.kid, publicKey: signingKey.publicKey }],
  };
}
