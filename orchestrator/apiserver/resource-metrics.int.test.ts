import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalProcess } from '../../harness/cluster/local-process.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import { startKubelet } from '../../testing/component-process.js';
import { adminClient } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { PodMetrics, PodMetricsList } from '../api/resource-metrics.js';
import type { Summary } from '../api/stats-summary.js';
import type { Pod } from '../api/types.js';

const PODS = findResource('', 'v1', 'pods')!;

/** `kubectl top`'s table: each row's name and its CPU in millicores. */
function cpuByName(table: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of table.trim().split('\n').slice(1)) {
    const [name, cpu] = line.trim().split(/\s+/);
    if (name && cpu) rows.set(name, millicores(cpu));
  }
  return rows;
}

function millicores(quantity: string): number {
  if (quantity.endsWith('n')) return Number(quantity.slice(0, -1)) / 1e6;
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  return Number(quantity) * 1000;
}

/** A pod bound to worker-1 running `sh -c script`; with `bound` false, one bound nowhere. */
function pod(name: string, script: string, bound = true): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'team-a', labels: { app: name } },
    spec: {
      ...(bound ? { nodeName: 'worker-1' } : {}),
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }],
    },
  } as Pod;
}

describe('resource metrics: kubectl top against the kubelets (real apiserver, etcd, kubelet and kubectl)', function () {
  // A busy loop is the heaviest thing here; on a loaded 2-core machine it may get half a core or
  // less, so the thresholds below ask for a clear difference, not a full core.
  this.timeout(120_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let admin: Kubectl;
  let kubelet: LocalProcess;
  let rootDir: string;

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    admin = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    rootDir = await mkdtemp(join(tmpdir(), 'crucible-resource-metrics-'));
    ({ kubelet } = await startKubelet(cp, client, 'worker-1', rootDir));
    await admin.ok(['create', 'namespace', 'team-a']);
    await admin.ok([
      'create',
      'rolebinding',
      'alice-view',
      '--clusterrole=view',
      '--user=alice',
      '-n',
      'team-a',
    ]);
    await client.create(PODS, pod('burner', 'while :; do :; done'));
    await client.create(PODS, pod('idle', 'sleep 3600'));
    // Never scheduled (no scheduler runs): a pod that exists and has no metrics.
    await client.create(PODS, pod('unscheduled', 'sleep 3600', false));
  });

  after(async () => {
    await kubelet?.stop();
    await client?.close();
    await cp?.stop();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  it('shows a pod that burns CPU in kubectl top pods well above an idle one', async () => {
    let cpu = new Map<string, number>();
    await pollUntil(
      async () => {
        cpu = cpuByName(await admin.ok(['top', 'pods', '-n', 'team-a']));
        return (cpu.get('burner') ?? 0) >= 200 && cpu.has('idle');
      },
      60_000,
      () => `burner at 200m or more and idle listed (seen ${JSON.stringify([...cpu])})`,
    );
    expect(cpu.get('idle')).to.be.below(50);
    expect(cpu.get('burner')! - cpu.get('idle')!).to.be.at.least(150);
    expect(cpu.has('unscheduled'), `a pod without metrics is left out: ${JSON.stringify([...cpu])}`).to.equal(
      false,
    );
    const burner = cpuByName(await admin.ok(['top', 'pods', '-n', 'team-a', '-l', 'app=burner']));
    expect([...burner.keys()]).to.deep.equal(['burner']);
    const idle = cpuByName(
      await admin.ok(['top', 'pods', '-n', 'team-a', '--field-selector', 'metadata.name=idle']),
    );
    expect([...idle.keys()]).to.deep.equal(['idle']);
  });

  it('serves PodMetrics in upstream shape, with the window the kubelet measured over', async () => {
    const list = (
      await cp.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods', TEST_TOKENS.admin)
    ).body as PodMetricsList;
    expect(list).to.deep.include({ apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetricsList' });
    const burner = list.items.find((m) => m.metadata.name === 'burner')!;
    expect(burner.metadata).to.deep.include({ namespace: 'team-a', labels: { app: 'burner' } });
    expect(burner.containers.map((c) => c.name)).to.deep.equal(['main']);
    expect(burner.containers[0]!.usage.cpu).to.match(/^\d+(n|u|m)?$/);
    expect(burner.containers[0]!.usage.memory).to.match(/^\d+(Ki|Mi)$/);
    // The fast profile samples every second; a loaded kubelet may take a little longer.
    const windowSeconds = Number(/^([\d.]+)s$/.exec(burner.window)?.[1]);
    expect(windowSeconds).to.be.within(0.9, 5);
    expect(Date.parse(burner.timestamp)).to.be.within(Date.now() - 10_000, Date.now() + 1000);
    const one = await cp.request(
      'GET',
      '/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods/burner',
      TEST_TOKENS.admin,
    );
    expect(one.status).to.equal(200);
    expect((one.body as PodMetrics).kind).to.equal('PodMetrics');
  });

  it("lists the node in kubectl top nodes, its usage its pods'", async () => {
    let nodes = new Map<string, number>();
    await pollUntil(
      async () => {
        nodes = cpuByName(await admin.ok(['top', 'nodes']));
        return (nodes.get('worker-1') ?? 0) >= 200;
      },
      30_000,
      () => `worker-1 at 200m or more (seen ${JSON.stringify([...nodes])})`,
    );
  });

  it("serves the kubelet's Summary API through the node proxy", async () => {
    const summary = JSON.parse(
      await admin.ok(['get', '--raw', '/api/v1/nodes/worker-1/proxy/stats/summary']),
    ) as Summary;
    expect(summary.node.nodeName).to.equal('worker-1');
    expect(summary.node.cpu?.usageNanoCores).to.be.a('number');
    const burner = summary.pods.find((p) => p.podRef.name === 'burner')!;
    expect(burner.podRef.namespace).to.equal('team-a');
    expect(burner.containers[0]!.name).to.equal('main');
    expect(burner.containers[0]!.cpu.usageCoreNanoSeconds).to.be.greaterThan(0);
    expect(burner.containers[0]!.memory.workingSetBytes).to.be.greaterThan(0);
  });

  it('finds the group in discovery, read only', async () => {
    const resources = await admin.ok(['api-resources', '--api-group=metrics.k8s.io', '-o', 'wide']);
    expect(resources).to.match(/^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics\s+get,list/m);
    expect(resources).to.match(/^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics\s+get,list/m);
    const write = await cp.request(
      'DELETE',
      '/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods/burner',
      TEST_TOKENS.admin,
    );
    expect(write.status).to.equal(405);
    expect(write.body).to.deep.include({ kind: 'Status', reason: 'MethodNotAllowed' });
  });

  it('lets a namespace viewer see its pods, and refuses a tenant without RBAC and the nodes to a viewer', async () => {
    const alice = admin.as(TEST_TOKENS.alice);
    expect(cpuByName(await alice.ok(['top', 'pods', '-n', 'team-a'])).has('burner')).to.equal(true);
    const nodes = await alice.run(['top', 'nodes']);
    expect(nodes.code).to.not.equal(0);
    expect(nodes.stderr).to.include(
      'Error from server (Forbidden): nodes.metrics.k8s.io is forbidden: User "alice" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope',
    );
    const bob = await admin.as(TEST_TOKENS.bob).run(['top', 'pods', '-n', 'team-a']);
    expect(bob.code).to.not.equal(0);
    expect(bob.stderr).to.include(
      'Error from server (Forbidden): pods.metrics.k8s.io is forbidden: User "bob" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "team-a"',
    );
  });

  it('answers 404 for a pod that does not exist and for one without metrics, as metrics-server words them', async () => {
    const missing = await admin.run(['top', 'pod', 'nosuch', '-n', 'team-a']);
    expect(missing.code).to.not.equal(0);
    expect(missing.stderr).to.include('Error from server (NotFound): pods "nosuch" not found');
    const unmeasured = await admin.run(['top', 'pod', 'unscheduled', '-n', 'team-a']);
    expect(unmeasured.stderr).to.include(
      'Error from server (NotFound): podmetrics.metrics.k8s.io "team-a/unscheduled" not found',
    );
    const node = await admin.run(['top', 'node', 'nowhere']);
    expect(node.stderr).to.include('Error from server (NotFound): node "nowhere" not found');
  });

  it('leaves out the pods and the node of a kubelet that does not answer', async () => {
    await kubelet.stop();
    const pods = await cp.request('GET', '/apis/metrics.k8s.io/v1beta1/pods', TEST_TOKENS.admin);
    expect(pods.status).to.equal(200);
    expect(pods.body.items).to.deep.equal([]);
    const nodes = await cp.request('GET', '/apis/metrics.k8s.io/v1beta1/nodes', TEST_TOKENS.admin);
    expect(nodes.body.items).to.deep.equal([]);
    const burner = await cp.request(
      'GET',
      '/apis/metrics.k8s.io/v1beta1/namespaces/team-a/pods/burner',
      TEST_TOKENS.admin,
    );
    expect(burner.status).to.equal(404);
    expect(burner.body.message).to.equal('podmetrics.metrics.k8s.io "team-a/burner" not found');
  });
});
