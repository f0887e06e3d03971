import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import { ApiClient } from '../api/client/index.js';
import { createCertificateAuthority, issueClientCertificate, type KeyPair } from '../api/pki.js';
import { findResource } from '../api/resources.js';
import type { Namespace } from '../api/types.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;

describe('client certificate authentication (--client-ca-file; real apiserver, etcd and kubectl)', function () {
  this.timeout(60_000);
  const clientCa = createCertificateAuthority('test-client-ca');
  let cp: TestControlPlane;
  let dir: string;
  const clients: ApiClient[] = [];

  const clientWith = (pair: Partial<KeyPair>, token?: string) => {
    const client = new ApiClient({
      servers: [cp.url],
      caPem: cp.ca.certPem,
      ...(pair.certPem && pair.keyPem ? { clientCert: { certPem: pair.certPem, keyPem: pair.keyPem } } : {}),
      token,
      retries: 0,
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    cp = await TestControlPlane.start({ clientCaPem: clientCa.certPem });
    dir = await mkdtemp(join(tmpdir(), 'crucible-client-cert-'));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes the common name as the user and the organizations as groups, as kind’s admin certificate', async () => {
    const admin = issueClientCertificate(clientCa, {
      commonName: 'kubernetes-admin',
      organizations: ['system:masters'],
    });
    const namespaces = await clientWith(admin).list<Namespace>(NAMESPACES);
    expect(namespaces.items.map((n) => n.metadata.name)).to.include('kube-system');
  });

  it('authorizes a certificate user by its name like any other user: no role, no access', async () => {
    const nobody = issueClientCertificate(clientCa, { commonName: 'carol' });
    const refused = await clientWith(nobody)
      .list(NAMESPACES)
      .catch((e: unknown) => e);
    expect(refused).to.have.property('code', 403);
    expect((refused as Error).message).to.include('User "carol" cannot list resource "namespaces"');
  });

  it('refuses a certificate of another CA with 401, unless a valid token comes with it', async () => {
    const stranger = issueClientCertificate(createCertificateAuthority('other-ca'), {
      commonName: 'mallory',
      organizations: ['system:masters'],
    });
    const refused = await clientWith(stranger)
      .list(NAMESPACES)
      .catch((e: unknown) => e);
    expect(refused).to.have.property('code', 401);
    const withToken = await clientWith(stranger, TEST_TOKENS.admin).list(NAMESPACES);
    expect(withToken.items.length).to.be.greaterThan(0);
  });

  it('still takes tokens from clients that present no certificate', async () => {
    expect((await clientWith({}, TEST_TOKENS.admin).list(NAMESPACES)).items.length).to.be.greaterThan(0);
  });

  it('lets the real kubectl in with --client-certificate and --client-key', async () => {
    const admin = issueClientCertificate(clientCa, {
      commonName: 'kubernetes-admin',
      organizations: ['system:masters'],
    });
    await writeFile(join(dir, 'admin.crt'), admin.certPem);
    await writeFile(join(dir, 'admin.key'), admin.keyPem, { mode: 0o600 });
    const kubectl = new Kubectl(cp.url, '', cp.caFile).withFlags([
      `--client-certificate=${join(dir, 'admin.crt')}`,
      `--client-key=${join(dir, 'admin.key')}`,
    ]);
    const out = await kubectl.ok(['get', 'namespaces', '-o', 'name']);
    expect(out).to.include('namespace/kube-system');
    const canI = await kubectl.run(['auth', 'can-i', 'delete', 'nodes']);
    expect(canI.stdout.trim()).to.equal('yes');
  });
});
