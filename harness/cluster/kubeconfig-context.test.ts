import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readKubeconfigContext } from './kubeconfig-context.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

/** A kubeconfig of three contexts: a token user, an exec-plugin user, and a cluster without a CA. */
const KUBECONFIG = `
apiVersion: v1
kind: Config
current-context: cloud
clusters:
  - name: shop
    cluster: { server: 'https://127.0.0.1:6443', certificate-authority-data: ${CA} }
  - name: bare
    cluster: { server: 'https://127.0.0.1:7443', insecure-skip-tls-verify: true }
users:
  - name: admin
    user: { token: secret-token }
  - name: cloud-user
    user:
      exec: { apiVersion: client.authentication.k8s.io/v1, command: cloud-cli, args: [token] }
contexts:
  - name: kind-shop
    context: { cluster: shop, user: admin }
  - name: cloud
    context: { cluster: shop, user: cloud-user }
  - name: insecure
    context: { cluster: bare, user: admin }
`;

describe('reading a context of a kubeconfig (the real kubectl)', () => {
  let dir: string;
  let file: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-kubeconfig-'));
    file = join(dir, 'config');
    await writeFile(file, KUBECONFIG);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('takes a named context: its server, CA and token, and the context alone for kubectl', async () => {
    const context = await readKubeconfigContext(file, 'kind-shop');
    expect(context).to.include({
      context: 'kind-shop',
      server: 'https://127.0.0.1:6443',
      token: 'secret-token',
    });
    expect(context.caPem).to.include('BEGIN CERTIFICATE');
    const minified = parse(context.minified) as { 'current-context': string; contexts: unknown[] };
    expect(minified['current-context']).to.equal('kind-shop');
    expect(minified.contexts).to.have.length(1);
  });

  it('never falls back on the current context, and lists the ones there are', async () => {
    const e = await readKubeconfigContext(file, undefined).catch((err: unknown) => err);
    expect(e).to.have.property('code', 'KubeconfigContextNotNamed');
    expect((e as Error).message).to.include('cloud, insecure, kind-shop');
  });

  it('refuses an unknown context, an exec plugin and a cluster it cannot verify, each with the reason', async () => {
    const refusal = (context: string) => readKubeconfigContext(file, context).catch((err: Error) => err);
    expect(await refusal('nope')).to.have.property('code', 'KubeconfigContextNotFound');
    const exec = await refusal('cloud');
    expect(exec).to.have.property('code', 'KubeconfigUnsupported');
    expect((exec as Error).message).to.include('an exec plugin');
    const insecure = await refusal('insecure');
    expect(insecure).to.have.property('code', 'KubeconfigUnsupported');
    expect((insecure as Error).message).to.include('skips TLS verification');
  });

  it('says when the file is not there', async () => {
    const e = await readKubeconfigContext(join(dir, 'missing'), 'kind-shop').catch((err: unknown) => err);
    expect(e).to.have.property('code', 'KubeconfigNotFound');
  });
});
