import { expect } from 'chai';
import { authorizationModes, nodePortRange, nodeRestrictionEnabled } from './apiserver-command.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEtcdClientTls } from './apiserver-command.js';

describe('orchestrator apiserver flags', () => {
  it('reads --authorization-mode as modes asked in order', () => {
    expect(authorizationModes('Node,RBAC')).to.deep.equal(['Node', 'RBAC']);
    expect(authorizationModes(' AlwaysAllow ')).to.deep.equal(['AlwaysAllow']);
    expect(() => authorizationModes('Node,ABAC')).to.throw(
      '--authorization-mode: unsupported mode(s) ABAC; use Node, RBAC, AlwaysAllow',
    );
    expect(() => authorizationModes('RBAC,RBAC')).to.throw('--authorization-mode: RBAC given twice');
    expect(() => authorizationModes('')).to.throw('--authorization-mode: no mode given');
  });

  it('reads --service-node-port-range as kube-apiserver does, naming the flag when it cannot', () => {
    expect(nodePortRange('30080-30099')).to.deep.equal({ min: 30080, max: 30099 });
    expect(() => nodePortRange('30080..30099')).to.throw(
      '--service-node-port-range: "30080..30099" is not a port range',
    );
  });

  it('runs NodeRestriction unless disabled, and names every admission plugin problem at once', () => {
    expect(
      nodeRestrictionEnabled({ enableAdmissionPlugins: 'NodeRestriction', disableAdmissionPlugins: '' }),
    ).to.equal(true);
    expect(
      nodeRestrictionEnabled({
        enableAdmissionPlugins: 'ResourceQuota',
        disableAdmissionPlugins: 'NodeRestriction',
      }),
    ).to.equal(false);
    expect(() =>
      nodeRestrictionEnabled({
        enableAdmissionPlugins: 'NodeRestriction,PodSecurity',
        disableAdmissionPlugins: 'NodeRestriction,ResourceQuota',
      }),
    ).to.throw(
      [
        '--enable-admission-plugins: unknown plugin PodSecurity',
        '--disable-admission-plugins: ResourceQuota always runs here',
        'NodeRestriction is both enabled and disabled',
        'known plugins: NamespaceLifecycle, DefaultTolerationSeconds, ResourceQuota, NodeRestriction',
      ].join('\n'),
    );
  });
});

describe('apiserver flags: TLS to etcd', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-etcd-flags-'));
    for (const name of ['ca.crt', 'client.crt', 'client.key']) await writeFile(file(name), `PEM of ${name}`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const HTTPS = ['https://etcd-0:2379', 'https://etcd-1:2379'];

  it('speaks plain http to etcd without any of --etcd-cafile, --etcd-certfile, --etcd-keyfile', async () => {
    expect(await readEtcdClientTls({}, ['http://127.0.0.1:2379'])).to.equal(undefined);
  });

  it('reads the CA and the client key pair', async () => {
    const flags = {
      etcdCafile: file('ca.crt'),
      etcdCertfile: file('client.crt'),
      etcdKeyfile: file('client.key'),
    };
    expect(await readEtcdClientTls(flags, HTTPS)).to.deep.equal({
      caPem: 'PEM of ca.crt',
      certPem: 'PEM of client.crt',
      keyPem: 'PEM of client.key',
    });
    expect(
      await readEtcdClientTls({ etcdCafile: file('ca.crt') }, HTTPS),
      'no client certificate',
    ).to.deep.equal({
      caPem: 'PEM of ca.crt',
      certPem: undefined,
      keyPem: undefined,
    });
  });

  it('refuses half a key pair, a key pair without the CA, http URLs with TLS, and a file it cannot read', async () => {
    const refusal = (flags: Parameters<typeof readEtcdClientTls>[0], servers = HTTPS) =>
      readEtcdClientTls(flags, servers).then(
        () => 'accepted',
        (e: Error) => e.message,
      );
    expect(await refusal({ etcdCafile: file('ca.crt'), etcdCertfile: file('client.crt') })).to.equal(
      '--etcd-certfile and --etcd-keyfile go together',
    );
    expect(await refusal({ etcdCertfile: file('client.crt'), etcdKeyfile: file('client.key') })).to.match(
      /^--etcd-certfile needs --etcd-cafile/,
    );
    expect(
      await refusal({ etcdCafile: file('ca.crt') }, ['https://etcd-0:2379', 'http://etcd-1:2379']),
    ).to.equal('--etcd-cafile: every --etcd-servers URL must be https://, not http://etcd-1:2379');
    expect(await refusal({ etcdCafile: file('missing.crt') })).to.match(/^--etcd-cafile: ENOENT/);
  });
});
