import { expect } from 'chai';
import { quotaTestPod, quotaTestQuota } from '../../testing/quota-fixtures.js';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { KubeObject, Pod, ResourceQuota, Service } from '../api/types.js';
import { ResourceQuotaController } from './resourcequota-controller.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const PODS = findResource('', 'v1', 'pods')!;
const SERVICES = findResource('', 'v1', 'services')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const QUOTAS = findResource('', 'v1', 'resourcequotas')!;

const pod = quotaTestPod;
const quota = quotaTestQuota;

describe('ResourceQuota controller (real apiserver and etcd)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let stop: () => Promise<void>;

  const namespace = async (name: string) => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  };
  const status = async (ns: string, name: string) =>
    (await client.get<ResourceQuota>(QUOTAS, ns, name)).status;
  const usedBecomes = (ns: string, name: string, used: Record<string, string>) =>
    pollUntil(
      async () => JSON.stringify((await status(ns, name))?.used) === JSON.stringify(used),
      10_000,
      `${ns}/${name} status.used ${JSON.stringify(used)}`,
    );

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    ({ stop } = runControllers(cp, (ctx) => [new ResourceQuotaController(ctx, { resyncPeriodMs: 1000 })]));
  });
  after(async () => {
    await stop?.();
    await client?.close();
    await cp?.stop();
  });

  it('reports the usage of pods, configmaps, services and deployments, and of cpu and memory requests', async () => {
    const ns = await namespace('usage');
    // Objects from before the quota are counted by the controller, later ones charged at admission.
    await client.create(
      PODS,
      pod(ns, 'early', { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1' } }),
    );
    await client.create(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'early', namespace: ns },
    });
    await client.create(
      QUOTAS,
      quota(ns, 'all', {
        pods: '10',
        configmaps: '5',
        services: '3',
        'services.nodeports': '4',
        'count/deployments.apps': '2',
        'count/configmaps': '5',
        'requests.cpu': '2',
        'requests.memory': '2048Mi',
        'limits.cpu': '4',
      }),
    );
    await client.create(
      PODS,
      pod(ns, 'late', { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1' } }),
    );
    await client.create(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'late', namespace: ns },
    });
    await client.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: {
        type: 'NodePort',
        selector: { app: 'web' },
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https' },
        ],
      },
    });
    await client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    } as KubeObject);
    await usedBecomes(ns, 'all', {
      configmaps: '2',
      'count/configmaps': '2',
      'count/deployments.apps': '1',
      'limits.cpu': '2',
      pods: '2',
      'requests.cpu': '750m',
      'requests.memory': '1Gi',
      services: '1',
      'services.nodeports': '2',
    });
    expect((await status(ns, 'all'))?.hard).to.deep.equal({
      configmaps: '5',
      'count/configmaps': '5',
      'count/deployments.apps': '2',
      'limits.cpu': '4',
      pods: '10',
      'requests.cpu': '2',
      'requests.memory': '2Gi',
      services: '3',
      'services.nodeports': '4',
    });
  });

  it('frees a deleted pod’s usage, so that another fits', async () => {
    const ns = await namespace('replenish');
    await client.create(QUOTAS, quota(ns, 'q1', { pods: '2' }));
    await client.create(PODS, pod(ns, 'a'));
    await client.create(PODS, pod(ns, 'b'));
    const e = await client.create(PODS, pod(ns, 'c')).catch((err: ApiError) => err);
    expect((e as ApiError).message).to.equal(
      'pods "c" is forbidden: exceeded quota: q1, requested: pods=1, used: pods=2, limited: pods=2',
    );
    await client.delete(PODS, ns, 'a');
    await usedBecomes(ns, 'q1', { pods: '1' });
    await client.create(PODS, pod(ns, 'c'));
    await usedBecomes(ns, 'q1', { pods: '2' });
  });

  it('gives back, at the next recount, what a create that failed after admission was charged', async () => {
    const ns = await namespace('leak');
    await client.create(QUOTAS, quota(ns, 'q1', { pods: '5' }));
    await client.create(PODS, pod(ns, 'a'));
    const e = await client.create(PODS, pod(ns, 'a')).catch((err: ApiError) => err);
    expect((e as ApiError).reason).to.equal('AlreadyExists');
    await usedBecomes(ns, 'q1', { pods: '1' });
  });

  it('lets exactly as many concurrent creates through as fit while it recounts', async () => {
    const ns = await namespace('burst');
    await client.create(QUOTAS, quota(ns, 'q1', { pods: '5' }));
    await usedBecomes(ns, 'q1', { pods: '0' });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => client.create(PODS, pod(ns, `p${i}`))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(5);
    await usedBecomes(ns, 'q1', { pods: '5' });
  });

  it('never lets pods beyond the quota while deletions make it recount during creates', async () => {
    const ns = await namespace('churn');
    await client.create(QUOTAS, quota(ns, 'q1', { pods: '5' }));
    for (let i = 0; i < 5; i++) await client.create(PODS, pod(ns, `p${i}`));
    let created = 5;
    for (let round = 0; round < 6; round++) {
      const victims = (await client.list<Pod>(PODS, ns)).items.slice(0, 2);
      await Promise.allSettled([
        ...victims.map((p) => client.delete(PODS, ns, p.metadata.name!)),
        ...Array.from({ length: 6 }, () => client.create(PODS, pod(ns, `p${created++}`))),
      ]);
      expect((await client.list(PODS, ns)).items.length).to.be.at.most(5);
      await new Promise((r) => setTimeout(r, 400));
    }
    const count = (await client.list(PODS, ns)).items.length;
    await usedBecomes(ns, 'q1', { pods: String(count) });
  });

  it('keeps quotas of one namespace out of another', async () => {
    const a = await namespace('tenant-a');
    const b = await namespace('tenant-b');
    await client.create(QUOTAS, quota(a, 'q', { pods: '1' }));
    await client.create(QUOTAS, quota(b, 'q', { pods: '3' }));
    for (const name of ['x', 'y']) await client.create(PODS, pod(b, name));
    await usedBecomes(b, 'q', { pods: '2' });
    await usedBecomes(a, 'q', { pods: '0' });
    await client.create(PODS, pod(a, 'x'));
  });

  it('shows used and hard in kubectl describe quota', async () => {
    const ns = await namespace('describe');
    await client.create(
      QUOTAS,
      quota(ns, 'compute', { pods: '4', 'requests.cpu': '2', 'requests.memory': '1Gi' }),
    );
    await client.create(PODS, pod(ns, 'a', { requests: { cpu: '500m', memory: '256Mi' } }));
    await usedBecomes(ns, 'compute', { pods: '1', 'requests.cpu': '500m', 'requests.memory': '256Mi' });
    const kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    const out = await kubectl.ok(['describe', 'quota', 'compute', '-n', ns]);
    expect(out).to.match(/Name:\s+compute/);
    expect(out).to.match(/Resource\s+Used\s+Hard/);
    expect(out).to.match(/^pods\s+1\s+4\s*$/m);
    expect(out).to.match(/^requests\.cpu\s+500m\s+2\s*$/m);
    expect(out).to.match(/^requests\.memory\s+256Mi\s+1Gi\s*$/m);
  });
});
