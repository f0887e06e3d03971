import { expect } from 'chai';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { Namespace, ServiceAccount } from '../api/types.js';
import { NamespaceController } from './namespace-controller.js';
import { ServiceAccountController } from './service-account-controller.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;

describe('ServiceAccountController (real apiserver and etcd)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let stop: () => Promise<void>;

  const defaultAccount = (ns: string) => client.tryGet<ServiceAccount>(SERVICE_ACCOUNTS, ns, 'default');
  const hasDefault = (ns: string) =>
    pollUntil(
      async () => (await defaultAccount(ns)) !== undefined,
      10_000,
      `default ServiceAccount in ${ns}`,
    );

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    ({ stop } = runControllers(cp, (ctx) => [
      new ServiceAccountController(ctx),
      new NamespaceController(ctx),
    ]));
  });
  after(async () => {
    await stop?.();
    await client?.close();
    await cp?.stop();
  });

  it('gives every namespace there is a default ServiceAccount, the system ones included', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) await hasDefault(ns);
  });

  it('gives a new namespace its default ServiceAccount', async () => {
    await client.create<Namespace>(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'fresh' },
    });
    await hasDefault('fresh');
  });

  it('creates the default ServiceAccount again when it is deleted, and leaves one that exists as it is', async () => {
    await hasDefault('fresh');
    const labelled = await client.patch<ServiceAccount>(SERVICE_ACCOUNTS, 'fresh', 'default', {
      metadata: { labels: { kept: 'yes' } },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect((await defaultAccount('fresh'))!.metadata.uid).to.equal(labelled.metadata.uid);
    await client.delete(SERVICE_ACCOUNTS, 'fresh', 'default');
    await pollUntil(
      async () => {
        const again = await defaultAccount('fresh');
        return again !== undefined && again.metadata.uid !== labelled.metadata.uid;
      },
      10_000,
      'a new default ServiceAccount',
    );
    expect((await defaultAccount('fresh'))!.metadata.labels).to.equal(undefined);
  });

  it('creates nothing in a namespace being deleted', async () => {
    await client.create<Namespace>(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'doomed' },
    });
    await hasDefault('doomed');
    await client.delete(NAMESPACES, '', 'doomed');
    await pollUntil(
      async () => !(await client.tryGet(NAMESPACES, '', 'doomed')),
      10_000,
      'namespace doomed gone',
    );
    expect(await defaultAccount('doomed')).to.equal(undefined);
  });
});
