import { expect } from 'chai';
import { quotaTestPod, quotaTestQuota } from '../../testing/quota-fixtures.js';
import { adminClient } from '../../testing/controller-context.js';
import { TestControlPlane } from '../../testing/test-control-plane.js';
import type { ApiClient } from '../api/client/index.js';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { KubeObject, ResourceQuota } from '../api/types.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const PODS = findResource('', 'v1', 'pods')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const QUOTAS = findResource('', 'v1', 'resourcequotas')!;

const pod = quotaTestPod;
const quota = quotaTestQuota;

async function refusal(create: Promise<unknown>): Promise<ApiError> {
  const e = await create.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ApiError)) throw new Error(`expected an API error, got ${String(e)}`);
  return e;
}

describe('ResourceQuota admission (real apiserver and etcd, no controller)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;

  const namespace = async (name: string) => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  };

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
  });
  after(async () => {
    await client?.close();
    await cp?.stop();
  });

  it('refuses the pod beyond pods: 2 in Kubernetes’ words, right after the two that fit', async () => {
    const ns = await namespace('quota-pods');
    await client.create(QUOTAS, quota(ns, 'q1', { pods: '2' }));
    await client.create(PODS, pod(ns, 'a'));
    await client.create(PODS, pod(ns, 'b'));
    const e = await refusal(client.create(PODS, pod(ns, 'x')));
    expect(e.code).to.equal(403);
    expect(e.reason).to.equal('Forbidden');
    expect(e.message).to.equal(
      'pods "x" is forbidden: exceeded quota: q1, requested: pods=1, used: pods=2, limited: pods=2',
    );
    expect((await client.list(PODS, ns)).items).to.have.length(2);
    expect((await client.get<ResourceQuota>(QUOTAS, ns, 'q1')).status?.used).to.deep.equal({ pods: '2' });
  });

  it('lets exactly as many concurrent creates through as the quota has room for', async () => {
    const ns = await namespace('quota-burst');
    await client.create(QUOTAS, quota(ns, 'q1', { pods: '5' }));
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => client.create(PODS, pod(ns, `p${i}`))),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(5);
    expect(refused.every((r) => (r.reason as ApiError).reason === 'Forbidden')).to.equal(true);
    expect((await client.list(PODS, ns)).items).to.have.length(5);
    expect((await client.get<ResourceQuota>(QUOTAS, ns, 'q1')).status?.used).to.deep.equal({ pods: '5' });
  });

  it('names every exceeded resource, sorted and joined with commas, in canonical quantities', async () => {
    const ns = await namespace('quota-compute');
    await client.create(
      QUOTAS,
      quota(ns, 'compute', { pods: '10', 'requests.cpu': '1', 'requests.memory': '1024Mi' }),
    );
    await client.create(PODS, pod(ns, 'small', { requests: { cpu: '250m', memory: '256Mi' } }));
    const e = await refusal(client.create(PODS, pod(ns, 'big', { requests: { cpu: '1', memory: '1Gi' } })));
    expect(e.message).to.equal(
      'pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=1,requests.memory=1Gi, used: requests.cpu=250m,requests.memory=256Mi, limited: requests.cpu=1,requests.memory=1Gi',
    );
    await client.create(PODS, pod(ns, 'fits', { requests: { cpu: '750m', memory: '768Mi' } }));
    expect((await client.get<ResourceQuota>(QUOTAS, ns, 'compute')).status?.used).to.deep.equal({
      pods: '2',
      'requests.cpu': '1',
      'requests.memory': '1Gi',
    });
  });

  it('refuses a pod that does not request the cpu a quota limits', async () => {
    const ns = await namespace('quota-required');
    await client.create(QUOTAS, quota(ns, 'q1', { 'requests.cpu': '2' }));
    const e = await refusal(client.create(PODS, pod(ns, 'nocpu', { requests: { memory: '1Gi' } })));
    expect(e.code).to.equal(403);
    expect(e.message).to.equal('pods "nocpu" is forbidden: failed quota: q1: must specify requests.cpu');
    // Limits default the requests, so a pod with a cpu limit states its request.
    await client.create(PODS, pod(ns, 'limited', { limits: { cpu: '500m' } }));
  });

  it('counts what existed before the quota when no controller has counted it yet', async () => {
    const ns = await namespace('quota-preexisting');
    for (const name of ['a', 'b']) {
      await client.create(CONFIGMAPS, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: ns },
      });
    }
    await client.create(QUOTAS, quota(ns, 'q1', { 'count/configmaps': '3' }));
    const configMap = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns },
    });
    await client.create(CONFIGMAPS, configMap('c'));
    const e = await refusal(client.create(CONFIGMAPS, configMap('d')));
    expect(e.message).to.equal(
      'configmaps "d" is forbidden: exceeded quota: q1, requested: count/configmaps=1, used: count/configmaps=3, limited: count/configmaps=3',
    );
  });

  it('names a grouped resource with its group', async () => {
    const ns = await namespace('quota-apps');
    await client.create(QUOTAS, quota(ns, 'apps', { 'count/deployments.apps': '0' }));
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    };
    const e = await refusal(client.create(DEPLOYMENTS, deployment));
    expect(e.message).to.equal(
      'deployments.apps "web" is forbidden: exceeded quota: apps, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0',
    );
  });

  it('keeps each namespace’s quotas to that namespace', async () => {
    const full = await namespace('quota-full');
    const free = await namespace('quota-free');
    await client.create(QUOTAS, quota(full, 'none', { pods: '0' }));
    await refusal(client.create(PODS, pod(full, 'a')));
    for (const name of ['a', 'b', 'c']) await client.create(PODS, pod(free, name));
    expect((await client.list(PODS, free)).items).to.have.length(3);
  });
});
