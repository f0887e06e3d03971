import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  ApiServer,
  type ApiServerOptions,
  type ServiceAccountTokenOptions,
} from '../orchestrator/apiserver/api-server.js';
import {
  createCertificateAuthority,
  issueServingCertificate,
  type KeyPair,
} from '../orchestrator/api/pki.js';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  generateSigningKey,
  parseTokenFile,
} from '../orchestrator/apiserver/auth/index.js';
import { pollUntil } from '../harness/support/poll-until.js';
import { EtcdProcess } from './etcd-process.js';

/** The nodes whose kubelets have a token of their own here (see `kubeletToken`). */
export const TEST_NODES = ['worker-1', 'worker-2', 'worker-3', 'node-1'] as const;

/** The token of node `node`'s kubelet: user `system:node:<node>` in group `system:nodes`. */
export function kubeletToken(node: (typeof TEST_NODES)[number]): string {
  return `kubelet-${node}-token`;
}

/**
 * Tokens of the test users: an admin, two tenants, an unbound user, the components, the kubelet of
 * node `test` and the simulated nodes' agent.
 */
export const TEST_TOKENS = {
  admin: 'admin-token',
  alice: 'alice-token',
  bob: 'bob-token',
  nobody: 'nobody-token',
  scheduler: 'scheduler-token',
  controllerManager: 'controller-manager-token',
  kubelet: 'kubelet-token',
  kubeProxy: 'kube-proxy-token',
  simulatedNodes: 'simulated-nodes-token',
} as const;

export const TOKEN_FILE = [
  `${TEST_TOKENS.admin},admin,uid-admin,"system:masters"`,
  `${TEST_TOKENS.alice},alice,uid-alice,"tenants"`,
  `${TEST_TOKENS.bob},bob,uid-bob,"tenants"`,
  `${TEST_TOKENS.nobody},nobody,uid-nobody`,
  `${TEST_TOKENS.scheduler},system:kube-scheduler,uid-scheduler`,
  `${TEST_TOKENS.controllerManager},system:kube-controller-manager,uid-controller-manager`,
  `${TEST_TOKENS.kubelet},system:node:test,uid-kubelet,"system:nodes"`,
  `${TEST_TOKENS.kubeProxy},system:kube-proxy,uid-kube-proxy`,
  `${TEST_TOKENS.simulatedNodes},crucible:simulated-nodes,uid-simulated-nodes`,
  ...TEST_NODES.map((n) => `${kubeletToken(n)},system:node:${n},uid-${n},"system:nodes"`),
].join('\n');

/**
 * A real etcd and a real apiserver (in this process) for integration tests, with the Node
 * authorizer, RBAC and NodeRestriction on, the test users' tokens, and a service account signing
 * key of its own that tests may sign tokens with (`serviceAccountTokens`).
 */
export class TestControlPlane {
  private constructor(
    readonly etcd: EtcdProcess,
    public server: ApiServer,
    public url: string,
    private readonly options: ApiServerOptions,
    readonly dir: string,
    readonly ca: KeyPair,
  ) {
    this.agent = new Agent({ connect: { ca: ca.certPem } });
  }

  /** An HTTP client that trusts this control plane's CA. */
  readonly agent: Agent;

  /** How the apiserver signs and verifies service account tokens. */
  get serviceAccountTokens(): ServiceAccountTokenOptions {
    return this.options.serviceAccountTokens!;
  }

  static async start(overrides: Partial<ApiServerOptions> = {}): Promise<TestControlPlane> {
    const etcd = await EtcdProcess.start();
    const dir = await mkdtemp(join(tmpdir(), 'crucible-cp-'));
    await writeFile(join(dir, 'tokens.csv'), TOKEN_FILE);
    const ca = createCertificateAuthority('test-ca');
    await writeFile(join(dir, 'ca.crt'), ca.certPem);
    const options: ApiServerOptions = {
      etcdServers: [etcd.url],
      bindAddress: '127.0.0.1',
      port: 0,
      tokens: parseTokenFile(TOKEN_FILE, 'tokens.csv'),
      authorizationModes: ['Node', 'RBAC'],
      anonymousAuth: false,
      etcdRequestTimeoutMs: 1000,
      tls: issueServingCertificate(ca, { commonName: 'apiserver', hosts: ['127.0.0.1', 'localhost'] }),
      serviceAccountTokens: testServiceAccountTokens(),
      ...overrides,
    };
    const server = new ApiServer(options);
    const { url } = await server.start();
    const cp = new TestControlPlane(etcd, server, url, options, dir, ca);
    await cp.waitReady();
    return cp;
  }

  get tokenFile(): string {
    return join(this.dir, 'tokens.csv');
  }

  /** The CA certificate file clients pass as --certificate-authority. */
  get caFile(): string {
    return join(this.dir, 'ca.crt');
  }

  /** fetch() that trusts this control plane's CA. */
  fetch(path: string, init: Parameters<typeof undiciFetch>[1] = {}): ReturnType<typeof undiciFetch> {
    return undiciFetch(this.url + path, { ...init, dispatcher: this.agent });
  }

  async waitReady(timeoutMs = 10_000): Promise<void> {
    await pollUntil(
      async () => (await this.fetch('/readyz')).status === 200,
      timeoutMs,
      `apiserver at ${this.url} ready`,
      50,
    );
  }

  /** Stops the apiserver and starts a new one on the same port against the same etcd. */
  async restartApiServer(): Promise<void> {
    const port = Number(new URL(this.url).port);
    await this.server.stop();
    this.server = new ApiServer({ ...this.options, port });
    await this.server.start();
    await this.waitReady();
  }

  /** Calls the API as `token`, returning status and parsed body. */
  async request(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; body: any }> {
    const res = await this.fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: leave the text
    }
    return { status: res.status, body: parsed };
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.agent.close();
    await this.etcd.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function testServiceAccountTokens(): ServiceAccountTokenOptions {
  const signingKey = generateSigningKey();
  return {
    issuers: [DEFAULT_SERVICE_ACCOUNT_ISSUER],
    signingKey,
    verificationKeys: [{ kid: signingKey.kid, publicKey: signingKey.publicKey }],
  };
}
