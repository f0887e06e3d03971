import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freePort } from '../../harness/cluster/local-control-plane.js';
import { LocalProcess, httpReady } from '../../harness/cluster/local-process.js';
import { ORCHESTRATOR_MAIN } from '../../harness/cluster/host-programs.js';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane, kubeletToken } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { createServiceAccountKeyPair, issueServingCertificate } from '../api/pki.js';
import { findResource } from '../api/resources.js';
import type { Pod, RoleBinding } from '../api/types.js';
import { ServiceAccountController } from '../controllers/service-account-controller.js';
import { ServiceAccountTokenSigner } from './auth/index.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const PODS = findResource('', 'v1', 'pods')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;
const ROLE_BINDINGS = findResource('rbac.authorization.k8s.io', 'v1', 'rolebindings')!;

const RBAC = 'rbac.authorization.k8s.io';

function pod(name: string, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'team-a' },
    spec: { containers: [{ name: 'app', image: 'crucible/sleeper' }], ...spec },
  };
}

/** A RoleBinding in team-a of ClusterRole `role` to `subjects`. */
function binding(name: string, role: string, subjects: RoleBinding['subjects']): RoleBinding {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace: 'team-a' },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
    subjects,
  };
}

describe('service account tokens: TokenRequest, the authenticator and RBAC (real etcd, real kubectl)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let admin: ApiClient;
  let adminKubectl: Kubectl;
  let controllers: { stop: () => Promise<void> };
  /** How far the apiserver's clock is ahead of the real one. */
  let clockAheadMs = 0;
  let web: Pod;

  /** `kubectl create token` as the admin, for a token bound to `web` unless `args` say otherwise. */
  const createToken = (args: string[] = []) =>
    adminKubectl.run([
      'create',
      'token',
      'default',
      '-n',
      'team-a',
      '--bound-object-kind',
      'Pod',
      '--bound-object-name',
      'web',
      '--bound-object-uid',
      web.metadata.uid!,
      ...args,
    ]);
  const newToken = async (args: string[] = []) => {
    const r = await createToken(args);
    if (r.code !== 0) throw new Error(`kubectl create token failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  const kubectlWith = (token: string) => new Kubectl(cp.url, token, cp.caFile);

  before(async () => {
    cp = await TestControlPlane.start({ clock: { now: () => new Date(Date.now() + clockAheadMs) } });
    admin = adminClient(cp);
    adminKubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    controllers = runControllers(cp, (ctx) => [new ServiceAccountController(ctx)]);
    for (const name of ['team-a', 'team-b'])
      await admin.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await pollUntil(
      async () => (await admin.tryGet(SERVICE_ACCOUNTS, 'team-a', 'default')) !== undefined,
      10_000,
      'the default ServiceAccount of team-a',
    );
    web = await admin.create<Pod>(PODS, pod('web'));
    await admin.create(
      ROLE_BINDINGS,
      binding('default-view', 'view', [{ kind: 'ServiceAccount', name: 'default', namespace: 'team-a' }]),
    );
  });

  after(async () => {
    await controllers?.stop();
    await admin?.close();
    await cp?.stop();
  });

  afterEach(() => {
    clockAheadMs = 0;
  });

  it('issues a bound token through `kubectl create token`, with the claims kube-apiserver puts in it', async () => {
    const token = await newToken();
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const sa = await admin.get(SERVICE_ACCOUNTS, 'team-a', 'default');
    expect(claims).to.include({
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: 'system:serviceaccount:team-a:default',
    });
    expect(claims.aud).to.deep.equal(['https://kubernetes.default.svc.cluster.local']);
    expect((claims.exp as number) - (claims.iat as number)).to.equal(3600);
    expect(claims['kubernetes.io']).to.deep.equal({
      namespace: 'team-a',
      serviceaccount: { name: 'default', uid: sa.metadata.uid },
      pod: { name: 'web', uid: web.metadata.uid },
    });
  });

  it('lets the token do what a RoleBinding to its ServiceAccount allows, and refuses it the rest', async () => {
    const kubectl = kubectlWith(await newToken());
    expect(await kubectl.ok(['get', 'pods', '-n', 'team-a', '-o', 'name'])).to.equal('pod/web\n');
    const elsewhere = await kubectl.run(['get', 'pods', '-n', 'team-b']);
    expect(elsewhere.stderr.trim()).to.equal(
      'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team-a:default" cannot list resource "pods" in API group "" in the namespace "team-b"',
    );
    const write = await kubectl.run(['create', 'configmap', 'x', '-n', 'team-a']);
    expect(write.stderr).to.contain(
      'User "system:serviceaccount:team-a:default" cannot create resource "configmaps" in API group "" in the namespace "team-a"',
    );
    const review = await kubectl.ok(['auth', 'can-i', 'list', 'pods', '-n', 'team-a']);
    expect(review.trim()).to.equal('yes');
  });

  it('matches RBAC subjects by the service account groups too', async () => {
    await admin.create(
      ROLE_BINDINGS,
      binding('all-accounts-edit', 'edit', [
        { kind: 'Group', apiGroup: RBAC, name: 'system:serviceaccounts:team-a' },
      ]),
    );
    try {
      const kubectl = kubectlWith(await newToken());
      expect(await kubectl.ok(['create', 'configmap', 'made-by-sa', '-n', 'team-a'])).to.contain(
        'configmap/made-by-sa created',
      );
    } finally {
      await admin.delete(ROLE_BINDINGS, 'team-a', 'all-accounts-edit');
    }
  });

  it('lists what RBAC allows through @kubernetes/client-node, configured as a pod is: server, token and CA', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'in-cluster', server: cp.url, caData: Buffer.from(cp.ca.certPem).toString('base64') },
      ],
      users: [{ name: 'sa', token: await newToken() }],
      contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'sa' }],
      currentContext: 'in-cluster',
    });
    const core = kc.makeApiClient(CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: 'team-a' });
    expect(pods.items.map((p) => p.metadata?.name)).to.deep.equal(['web']);
    const refused = await core.listNamespacedPod({ namespace: 'team-b' }).then(
      () => undefined,
      (e: { code?: number }) => e.code,
    );
    expect(refused).to.equal(403);
  });

  it('refuses the token once it has expired (401)', async () => {
    const kubectl = kubectlWith(await newToken(['--duration=10m']));
    await kubectl.ok(['get', 'pods', '-n', 'team-a']);
    // Ten minutes, and the minute of leeway every apiserver allows for clock skew.
    clockAheadMs = (600 + 61) * 1000;
    const r = await kubectl.run(['get', 'pods', '-n', 'team-a']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('error: You must be logged in to the server (Unauthorized)');
  });

  it('refuses a token whose expiry has passed, signed with the apiserver’s own key', async () => {
    const sa = await admin.get(SERVICE_ACCOUNTS, 'team-a', 'default');
    const { issuers, signingKey } = cp.serviceAccountTokens;
    const signer = new ServiceAccountTokenSigner(issuers[0]!, signingKey);
    const sign = (issuedAt: Date) =>
      signer.sign({
        namespace: 'team-a',
        serviceAccount: { name: 'default', uid: sa.metadata.uid! },
        pod: { name: 'web', uid: web.metadata.uid! },
        audiences: issuers,
        issuedAt,
        expirationSeconds: 600,
      });
    expect((await cp.request('GET', '/api/v1/namespaces/team-a/pods', sign(new Date()))).status).to.equal(
      200,
    );
    const expired = sign(new Date(Date.now() - 12 * 60_000));
    const r = await cp.request('GET', '/api/v1/namespaces/team-a/pods', expired);
    expect(r.status).to.equal(401);
    expect(r.body).to.include({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized' });
  });

  it('refuses tokens shorter-lived than ten minutes, bound to a pod with another uid, or to a pod of another service account', async () => {
    const short = await createToken(['--duration=5m']);
    expect(short.stderr.trim()).to.equal(
      'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
    );
    const stale = await adminKubectl.run([
      'create',
      'token',
      'default',
      '-n',
      'team-a',
      '--bound-object-kind',
      'Pod',
      '--bound-object-name',
      'web',
      '--bound-object-uid',
      '00000000-0000-0000-0000-000000000000',
    ]);
    expect(stale.stderr).to.contain(
      'Operation cannot be fulfilled on Pod "web": the UID in the bound object reference (00000000-0000-0000-0000-000000000000) does not match the UID in record',
    );
    await admin.create(SERVICE_ACCOUNTS, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'robot', namespace: 'team-a' },
    });
    const other = await adminKubectl.run([
      'create',
      'token',
      'robot',
      '-n',
      'team-a',
      '--bound-object-kind',
      'Pod',
      '--bound-object-name',
      'web',
    ]);
    expect(other.stderr.trim()).to.equal(
      'error: failed to create token: cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.',
    );
    const missing = await adminKubectl.run(['create', 'token', 'ghost', '-n', 'team-a']);
    expect(missing.stderr.trim()).to.equal(
      'error: failed to create token: serviceaccounts "ghost" not found',
    );
  });

  it('lets a tenant with edit request tokens in its namespace, and one with view not', async () => {
    await admin.create(
      ROLE_BINDINGS,
      binding('alice-edit', 'edit', [{ kind: 'User', apiGroup: RBAC, name: 'alice' }]),
    );
    await admin.create(
      ROLE_BINDINGS,
      binding('bob-view', 'view', [{ kind: 'User', apiGroup: RBAC, name: 'bob' }]),
    );
    const alice = kubectlWith(TEST_TOKENS.alice);
    const token = (await alice.ok(['create', 'token', 'default', '-n', 'team-a'])).trim();
    expect(await kubectlWith(token).ok(['get', 'pods', '-n', 'team-a', '-o', 'name'])).to.equal('pod/web\n');
    const bob = await kubectlWith(TEST_TOKENS.bob).run(['create', 'token', 'default', '-n', 'team-a']);
    expect(bob.stderr).to.contain(
      'User "bob" cannot create resource "serviceaccounts/token" in API group "" in the namespace "team-a"',
    );
  });

  it('lets a kubelet request a token only for a pod bound to its node, as that pod’s service account', async () => {
    const mine = await admin.create<Pod>(PODS, pod('on-worker-1', { nodeName: 'worker-1' }));
    const theirs = await admin.create<Pod>(PODS, pod('on-worker-2', { nodeName: 'worker-2' }));
    const requestFor = (p: Pod, serviceAccount = 'default') =>
      cp.request(
        'POST',
        `/api/v1/namespaces/team-a/serviceaccounts/${serviceAccount}/token`,
        kubeletToken('worker-1'),
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: p.metadata.name, uid: p.metadata.uid },
          },
        },
      );
    const granted = await requestFor(mine);
    expect(granted.status).to.equal(201);
    expect(granted.body).to.deep.include({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest' });
    expect(granted.body.spec).to.deep.include({ expirationSeconds: 3600 });
    expect(granted.body.status.token).to.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const node = JSON.parse(Buffer.from(granted.body.status.token.split('.')[1], 'base64url').toString())[
      'kubernetes.io'
    ].node;
    expect(node, 'no Node object: no node claim').to.equal(undefined);
    const refused = await requestFor(theirs);
    expect(refused.status).to.equal(403);
    expect(refused.body.message).to.equal(
      'serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node',
    );
    const otherAccount = await requestFor(mine, 'robot');
    expect(otherAccount.status).to.equal(403);
    expect(otherAccount.body.message).to.contain(
      "no relationship found between node 'worker-1' and this object",
    );
  });

  it('is verified by every apiserver given the same key files, and refused by one with another key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-sa-keys-'));
    const started: LocalProcess[] = [];
    try {
      const { signingKey } = cp.serviceAccountTokens;
      await writeFile(join(dir, 'sa.key'), signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await writeFile(join(dir, 'sa.pub'), signingKey.publicKey.export({ type: 'spki', format: 'pem' }));
      await writeFile(join(dir, 'other.key'), createServiceAccountKeyPair().privateKeyPem);
      const serving = issueServingCertificate(cp.ca, { commonName: 'apiserver', hosts: ['127.0.0.1'] });
      await writeFile(join(dir, 'apiserver.crt'), serving.certPem);
      await writeFile(join(dir, 'apiserver.key'), serving.keyPem);
      const apiserver = async (name: string, keyFlags: string[]) => {
        const port = await freePort();
        const proc = new LocalProcess({
          name,
          command: process.execPath,
          args: [
            ORCHESTRATOR_MAIN,
            'apiserver',
            `--etcd-servers=${cp.etcd.url}`,
            `--secure-port=${port}`,
            `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
            `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
            `--token-auth-file=${cp.tokenFile}`,
            ...keyFlags,
          ],
          logFile: join(dir, `${name}.log`),
          ready: httpReady(`https://127.0.0.1:${port}/readyz`, cp.ca.certPem),
        });
        started.push(proc);
        await proc.start();
        return `https://127.0.0.1:${port}`;
      };
      const same = await apiserver('same-key', [
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
      ]);
      const other = await apiserver('other-key', [
        `--service-account-signing-key-file=${join(dir, 'other.key')}`,
      ]);
      const token = await newToken();
      const dispatcher = new Agent({ connect: { ca: cp.ca.certPem } });
      const status = async (server: string) => {
        const res = await request(`${server}/api/v1/namespaces/team-a/pods`, {
          headers: { authorization: `Bearer ${token}` },
          dispatcher,
        });
        await res.body.dump();
        return res.statusCode;
      };
      expect(await status(same)).to.equal(200);
      expect(await status(other)).to.equal(401);
      await dispatcher.close();
    } finally {
      for (const p of started) await p.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the token file’s tokens working beside service account tokens', async () => {
    expect((await cp.request('GET', '/api/v1/namespaces', TEST_TOKENS.admin)).status).to.equal(200);
    expect((await cp.request('GET', '/api/v1/namespaces', 'no-such-token')).status).to.equal(401);
  });

  it('refuses the token once its bound pod is deleted (401)', async () => {
    const kubectl = kubectlWith(await newToken());
    await kubectl.ok(['get', 'pods', '-n', 'team-a']);
    await admin.delete(PODS, 'team-a', 'web');
    const r = await kubectl.run(['get', 'pods', '-n', 'team-a']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('error: You must be logged in to the server (Unauthorized)');
  });
});
