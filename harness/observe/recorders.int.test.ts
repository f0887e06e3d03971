import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { ConfigMap, Deployment, KubeObject } from '../../orchestrator/api/types.js';
import { pollUntil } from '../support/poll-until.js';
import {
  adminClient,
  clusterDir,
  type RunningCluster,
  defaultClusterSpec,
  ProcessProvider,
} from '../cluster/index.js';
import { HistoryBuilder } from '../../testing/history-builder.js';
import {
  ApiProbeRecorder,
  ClusterStateRecorder,
  DurabilityWriter,
  GroundTruthRecorder,
  IsolationBattery,
  adminAccess,
  type ApiAccess,
} from './index.js';
import { assembleHistory, readHistory, type HistoryEvent } from '../history/index.js';
import { sleep } from '../support/index.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const ROLE_BINDINGS = findResource('rbac.authorization.k8s.io', 'v1', 'rolebindings')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;

describe('the recorders of a run, on a process cluster with 2 workers', function () {
  this.timeout(60_000);
  const provider = new ProcessProvider();
  const name = `obs${process.pid}`;
  let home: string;
  let cluster: RunningCluster;
  let state: RunningCluster['record'];
  let client: ApiClient;
  let access: ApiAccess;
  let runStartedAt: number;
  let clusterState: ClusterStateRecorder;
  let apiProbe: ApiProbeRecorder;
  let groundTruth: GroundTruthRecorder;
  let durability: DurabilityWriter;
  let isolation: IsolationBattery;
  const now = () => Date.now() - runStartedAt;

  before(async function () {
    this.timeout(90_000);
    home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
    process.env.CRUCIBLE_HOME = home;
    cluster = await provider.create(defaultClusterSpec({ name, workers: 2 }), () => undefined);
    state = cluster.record;
    access = adminAccess(cluster);
    client = adminClient(cluster);
    for (const namespace of ['obs', 'tenant-a', 'tenant-b'])
      await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    // The tenants' RBAC as the runner sets it up. There are no tenant users with tokens yet, so
    // kube-proxy's user stands in for tenant b.
    await client.create(ROLE_BINDINGS, editBinding('tenant-a', 'tenant-a'));
    await client.create(ROLE_BINDINGS, editBinding('tenant-b', 'system:kube-proxy'));
    await client.create<Deployment>(DEPLOYMENTS, sleeper('obs', 4));
    await pollUntil(
      async () =>
        ((await client.get<Deployment>(DEPLOYMENTS, 'obs', 'sleeper')).status?.readyReplicas ?? 0) === 4,
      30_000,
      'sleeper ready',
    );

    runStartedAt = Date.now();
    const options = { runStartedAt, intervalMs: 250 };
    clusterState = new ClusterStateRecorder({ ...options, access, namespaces: ['obs'] });
    apiProbe = new ApiProbeRecorder({ ...options, access });
    groundTruth = new GroundTruthRecorder({ ...options, workers: state.workers });
    durability = new DurabilityWriter({ ...options, access, namespace: 'obs' });
    const kubeProxyToken = (
      await readFile(join(clusterDir(name), 'nodes', 'worker-1', 'kube-proxy.token'), 'utf8')
    ).trim();
    isolation = new IsolationBattery({
      runStartedAt,
      apiservers: state.apiservers,
      caPem: access.caPem,
      tenants: [
        // The admin in place of tenant a: whatever it tries in tenant b gets through.
        { name: 'admin', namespaces: ['tenant-a'], token: cluster.credentials.adminToken! },
        { name: 'kube-proxy', namespaces: ['tenant-b'], token: kubeProxyToken },
      ],
    });
    for (const r of [clusterState, apiProbe, groundTruth, durability]) r.start();
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all([clusterState, apiProbe, groundTruth, durability, isolation].map((r) => r?.stop()));
    await client?.close();
    if (state) await provider.delete(name);
    delete process.env.CRUCIBLE_HOME;
    await rm(home, { recursive: true, force: true });
  });

  const eventsOf = <T extends HistoryEvent['type']>(type: T, since = 0) =>
    clusterState.events.filter(
      (e): e is Extract<HistoryEvent, { type: T }> => e.type === type && e.t >= since,
    );

  it('records the steady cluster: nodes Ready, the workload whole, leaders, every pod on its kubelet', async () => {
    await pollUntil(
      () => clusterState.workloads.length > 0 && groundTruth.samples.length >= 4,
      5000,
      'samples',
    );
    // Every node's condition is recorded from the first sample on. (A node may flap once under a
    // loaded CI machine with the fast profile's 1 s grace; what counts is that it is recorded.)
    expect(new Set(eventsOf('node-condition').map((e) => e.node))).to.deep.equal(
      new Set(['worker-1', 'worker-2']),
    );
    await pollUntil(
      () =>
        ['worker-1', 'worker-2'].every(
          (n) => clusterState.nodes.filter((s) => s.node === n).at(-1)?.ready === 'True',
        ),
      10_000,
      'both nodes Ready in the latest samples',
    );
    expect(eventsOf('leader').map((e) => e.component)).to.have.members(['scheduler', 'controller-manager']);
    expect(clusterState.workloads.at(-1)).to.include({
      namespace: 'obs',
      name: 'sleeper',
      desired: 4,
      ready: 4,
      pods: 4,
    });
    expect(eventsOf('pod'), 'pods that existed at the first sample').to.deep.equal([]);

    const latest = latestTruth();
    expect(latest.map((s) => s.reachable)).to.deep.equal([true, true]);
    const sleepers = latest.flatMap((s) => s.pods).filter((p) => p.namespace === 'obs');
    expect(sleepers).to.have.length(4);
    for (const pod of sleepers) {
      expect(pod.containers).to.have.length(1);
      expect(pod.containers[0]!.pid).to.be.a('number').greaterThan(0);
    }
    expect(apiProbe.samples.length).to.be.greaterThan(0);
    expect(apiProbe.samples.every((s) => s.ok && s.status === 200)).to.equal(true);
  });

  it('records the isolation battery: refusals held, what got through did not', async () => {
    const probes = await isolation.run();
    const of = (tenant: string, verb: string, resource: string, namespace: string) =>
      probes.find(
        (p) => p.tenant === tenant && p.verb === verb && p.resource === resource && p.namespace === namespace,
      );

    expect(of('kube-proxy', 'list', 'configmaps', 'tenant-b')).to.include({
      expect: 'scoped',
      status: 200,
      held: true,
    });
    for (const [verb, resource] of [
      ['get', 'configmaps'],
      ['list', 'configmaps'],
      ['create', 'configmaps'],
      ['delete', 'configmaps'],
      ['list', 'deployments'],
    ] as const)
      expect(of('kube-proxy', verb, resource, 'tenant-a'), `${verb} ${resource}`).to.include({
        expect: 'denied',
        status: 403,
        held: true,
      });
    // kube-proxy reads every Service, and (as the NetworkPolicy agent) every pod and namespace, by
    // design: the battery sees each as a leak.
    expect(of('kube-proxy', 'list', 'services', 'tenant-a')).to.include({ status: 200, held: false });
    expect(of('kube-proxy', 'list', 'pods', 'tenant-a')).to.include({ status: 200, held: false });
    expect(of('kube-proxy', 'list', 'pods', '*')).to.include({ status: 200, held: false });
    expect(of('kube-proxy', 'list', 'namespaces', '*')).to.include({ status: 200, held: false });

    expect(of('admin', 'list', 'configmaps', 'tenant-a')).to.include({ expect: 'scoped', held: true });
    expect(of('admin', 'get', 'configmaps', 'tenant-b')).to.include({ status: 404, held: false });
    expect(of('admin', 'create', 'configmaps', 'tenant-b')).to.include({ status: 201, held: false });
    expect(of('admin', 'delete', 'configmaps', 'tenant-b')).to.include({ status: 200, held: false });
    expect(
      await client.tryGet<ConfigMap>(CONFIGMAPS, 'tenant-b', 'crucible-isolation-admin'),
      'cleaned up',
    ).to.equal(undefined);
    expect(probes).to.have.length(2 + 2 * 7 + 2 * 2);
    expect(isolation.events).to.deep.equal([]);
  });

  it('sees a killed worker: its node no longer Ready, its kubelet unreachable, its pods replaced', async () => {
    const killedAt = now();
    const onWorker2 = latestTruth()
      .find((s) => s.node === 'worker-2')!
      .pods.filter((p) => p.namespace === 'obs');
    expect(onWorker2.length, 'sleepers on worker-2').to.be.greaterThan(0);
    await cluster.kill('worker-2');

    await pollUntil(
      () => groundTruth.samples.some((s) => s.t > killedAt && s.node === 'worker-2' && !s.reachable),
      5000,
      'worker-2 unreachable',
    );
    await pollUntil(
      () => eventsOf('node-condition', killedAt).some((e) => e.node === 'worker-2' && e.ready !== 'True'),
      10_000,
      'worker-2 not Ready',
    );
    await pollUntil(
      () => eventsOf('pod', killedAt).filter((e) => e.change === 'created').length >= onWorker2.length,
      15_000,
      'replacement pods',
    );
    await pollUntil(
      () => clusterState.workloads.at(-1)!.ready === 4 && clusterState.nodes.at(-1)!.t > killedAt,
      15_000,
      'sleeper whole again',
    );
    const pods = eventsOf('pod', killedAt);
    const lost = new Set(onWorker2.map((p) => p.name));
    expect(
      pods.some((e) => lost.has(e.name) && (e.change === 'not-ready' || e.change === 'deleted')),
    ).to.equal(true);
    expect(pods.filter((e) => e.change === 'scheduled').every((e) => e.node === 'worker-1')).to.equal(true);
    // worker-1 lives on: whatever its condition did meanwhile, it ends Ready.
    expect(
      eventsOf('node-condition', killedAt)
        .filter((e) => e.node === 'worker-1')
        .at(-1)?.ready ?? 'True',
    ).to.equal('True');
    expect(clusterState.workloads.at(-1)).to.include({ desired: 4, ready: 4, pods: 4 });
    expect(
      groundTruth.samples.filter((s) => s.t > killedAt && s.node === 'worker-1').every((s) => s.reachable),
    ).to.equal(true);
  });

  it('keeps the kubelets’ truth while the apiserver is stopped; the probe, the writes and the battery record the outage', async () => {
    await cluster.stop('apiserver-0');
    const downFrom = now();
    await pollUntil(() => apiProbe.samples.some((s) => s.t >= downFrom && !s.ok), 5000, 'a failed probe');
    await sleep(1500);
    const duringOutage = await isolation.run();
    const truthDuringOutage = groundTruth.samples.filter((s) => s.t >= downFrom && s.node === 'worker-1');
    await cluster.start('apiserver-0');
    const upFrom = now();
    await pollUntil(
      () => apiProbe.samples.some((s) => s.t >= upFrom && s.ok),
      20_000,
      'the API answers again',
    );
    await pollUntil(() => clusterState.nodes.at(-1)!.t >= upFrom, 10_000, 'the API view again');

    const failed = apiProbe.samples.filter((s) => s.t >= downFrom && s.t < upFrom && !s.ok);
    expect(failed.length).to.be.greaterThan(2);
    for (const s of failed) expect(s.error).to.be.a('string').and.not.equal('');

    expect(truthDuringOutage.length).to.be.greaterThan(2);
    for (const s of truthDuringOutage) {
      expect(s.reachable).to.equal(true);
      expect(s.pods.filter((p) => p.namespace === 'obs')).to.have.length(4);
    }

    expect(
      durability.log.writes.filter((w) => w.t >= downFrom && w.t < upFrom && !w.acknowledged).length,
    ).to.be.greaterThan(2);

    expect(duringOutage, 'no probe without an answer').to.deep.equal([]);
    expect(isolation.events.length).to.be.greaterThan(0);
    expect(isolation.events.every((e) => e.type === 'error' && /gave no verdict/.test(e.message))).to.equal(
      true,
    );

    // Samples the API could not answer are skipped, not made up.
    const [firstFailed, lastFailed] = [failed[0]!.t, failed.at(-1)!.t];
    const gap = clusterState.nodes.filter((s) => s.t > firstFailed + 300 && s.t < lastFailed - 300);
    expect(gap, 'node samples while the API was down').to.deep.equal([]);
  });

  it('reads back every acknowledged write after heal', async () => {
    await sleep(600);
    const reads = await durability.verify();
    const acknowledged = durability.log.writes.filter((w) => w.acknowledged);
    expect(acknowledged.length).to.be.greaterThan(10);
    expect(reads.map((r) => [r.key, r.value])).to.deep.equal(acknowledged.map((w) => [w.key, w.value]));
    expect(durability.log.finalReads).to.deep.equal(reads);
  });

  it('assembles what was recorded into a history that reads back', async () => {
    await Promise.all([clusterState.stop(), apiProbe.stop(), groundTruth.stop(), isolation.stop()]);
    await clusterState.stop();
    const metadata = new HistoryBuilder().build().metadata;
    const history = assembleHistory({
      metadata,
      events: [{ t: 0, type: 'phase', phase: 'recorders', status: 'start' }],
      recorders: { clusterState, apiProbe, groundTruth, durability, isolation },
    });
    expect(readHistory(JSON.stringify(history))).to.deep.equal(history);
    const times = history.events.map((e) => e.t);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    expect(history.series.api.length).to.equal(apiProbe.samples.length);
    expect(history.groundTruth.length).to.equal(groundTruth.samples.length);
    expect(history.isolation.length).to.equal(isolation.probes.length);
    expect(history.durability.finalReads.length).to.be.greaterThan(0);
  });

  /** The latest ground-truth sample of each worker, in worker order. */
  function latestTruth() {
    return state.workers.map((w) => groundTruth.samples.filter((s) => s.node === w.name).at(-1)!);
  }
});

function editBinding(namespace: string, user: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'tenant-edit', namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  };
}

function sleeper(namespace: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'sleeper', namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'sleeper' } },
      template: {
        metadata: { labels: { app: 'sleeper' } },
        spec: { containers: [{ name: 'sleeper', image: 'crucible/sleeper' }] },
      },
    },
  };
}
