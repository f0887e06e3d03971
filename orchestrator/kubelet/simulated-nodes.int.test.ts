import { expect } from 'chai';
import type { LocalProcess } from '../../harness/cluster/local-process.js';
import { startComponent } from '../../testing/component-process.js';
import { adminClient } from '../../testing/controller-context.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import { Informer, type ApiClient } from '../api/client/index.js';
import { isPodActive, isPodReady } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import { TIMING_PROFILES } from '../api/timing-profile.js';
import type { Deployment, Lease, Node, Pod } from '../api/types.js';
import { ON_SIMULATED_NODES, SIMULATED_NODE_LABEL } from '../api/simulated-nodes.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const COUNT = 50;
const REPLICAS = 100;
const fast = TIMING_PROFILES.fast;
/**
 * The controller-manager's grace period here: the fast profile's second leaves no room for a
 * machine shared with other test runs (a busy apiserver delays a renewal by more than that),
 * and what is tested is that the Leases are renewed, not how fast the machine is.
 */
const GRACE_PERIOD_MS = 3000;

const readyOf = (node: Node) => node.status?.conditions?.find((c) => c.type === 'Ready')?.status;

describe('simulated nodes: one kubelet process for 50 nodes that run nothing, with a real control plane', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let simulator: LocalProcess;
  const processes: LocalProcess[] = [];
  /** Every time the API showed a simulated node other than Ready=True, while the simulator ran. */
  const notReady: string[] = [];
  let nodeWatch: Informer<Node>;

  // A poll the apiserver did not answer (etcd slow on a busy machine) counts as "not yet".
  const simulatedNodes = async () =>
    (
      await client
        .list<Node>(NODES, '', { labelSelector: `${SIMULATED_NODE_LABEL}=true` })
        .catch(() => ({ items: [] as Node[] }))
    ).items;
  const appPods = async () =>
    (
      await client
        .list<Pod>(PODS, 'default', { labelSelector: 'app=sim' })
        .catch(() => ({ items: [] as Pod[] }))
    ).items.filter(isPodActive);

  before(async () => {
    cp = await TestControlPlane.start({
      defaulting: {
        notReadyTolerationSeconds: fast.defaultTolerationSeconds,
        unreachableTolerationSeconds: fast.defaultTolerationSeconds,
      },
    });
    client = adminClient(cp);
    nodeWatch = new Informer<Node>({
      client,
      resource: NODES,
      labelSelector: `${SIMULATED_NODE_LABEL}=true`,
    });
    const record = (node: Node) => {
      if (readyOf(node) !== 'True') notReady.push(`${node.metadata.name} Ready=${readyOf(node)}`);
    };
    nodeWatch.addHandlers({ add: record, update: (_old, node) => record(node) });
    nodeWatch.start();
    processes.push(await startComponent(cp, 'scheduler', 'sched'));
    processes.push(
      await startComponent(cp, 'controller-manager', 'cm', [
        `--node-monitor-grace-period=${GRACE_PERIOD_MS}ms`,
      ]),
    );
  });

  after(async () => {
    await nodeWatch?.stop();
    await simulator?.stop();
    for (const p of processes) await p.stop();
    await client?.close();
    await cp?.stop();
  });

  it('registers every node Ready, labelled, tainted, with its capacity, its own address and podCIDR', async () => {
    // As the agent's own user, outside system:nodes: RBAC, not the Node authorizer, decides for it.
    simulator = await startComponent(
      cp,
      'kubelet',
      'sim',
      [
        `--simulated-nodes=${COUNT}`,
        '--capacity=cpu=8,memory=16Gi,pods=110',
        '--node-labels=zone=sim-a',
        '--register-with-taints=crucible.dev/simulated=true:NoSchedule',
      ],
      TEST_TOKENS.simulatedNodes,
    );
    await pollUntil(
      async () => (await simulatedNodes()).filter((n) => readyOf(n) === 'True').length === COUNT,
      10_000,
      `${COUNT} simulated nodes Ready`,
    );
    const nodes = await simulatedNodes();
    expect(nodes.map((n) => n.metadata.name).sort()).to.deep.equal(
      Array.from({ length: COUNT }, (_, i) => `sim-${i + 1}`).sort(),
    );
    const sim7 = nodes.find((n) => n.metadata.name === 'sim-7')!;
    expect(sim7.metadata.labels).to.include({
      'kubernetes.io/hostname': 'sim-7',
      [SIMULATED_NODE_LABEL]: 'true',
      zone: 'sim-a',
    });
    expect(sim7.spec?.taints).to.deep.equal([
      { key: 'crucible.dev/simulated', value: 'true', effect: 'NoSchedule' },
    ]);
    expect(sim7.status?.capacity).to.deep.equal({ cpu: '8', memory: '16Gi', pods: '110' });
    const internalIps = nodes.map((n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address);
    expect(new Set(internalIps).size, 'one address per node').to.equal(COUNT);
    expect(new Set(nodes.map((n) => n.spec?.podCIDR)).size, 'one podCIDR per node').to.equal(COUNT);
  });

  it('renews every node’s Lease, the nodes spread over the renew interval rather than all at once', async () => {
    const leases = async () =>
      new Map(
        (await client.list<Lease>(LEASES, 'kube-node-lease')).items.map((l) => [
          l.metadata.name!,
          Date.parse(l.spec!.renewTime!),
        ]),
      );
    const first = await leases();
    expect(first.size).to.equal(COUNT);
    let later = first;
    await pollUntil(
      async () => {
        later = await leases().catch(() => first);
        return [...first].every(([name, t]) => later.get(name)! > t);
      },
      5000,
      'every Lease renewed',
    );
    // All at once, one snapshot's renew times would lie within a few ms of each other.
    const times = [...later.values()];
    const spread = Math.max(...times) - Math.min(...times);
    expect(spread, 'ms between the oldest and newest renewal of one snapshot').to.be.greaterThan(
      fast.nodeLeaseRenewIntervalMs / 2,
    );
  });

  it('reports a Deployment’s pods on simulated nodes Running and Ready, each with its own pod IP', async () => {
    const labels = { app: 'sim' };
    await client.create<Deployment>(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sim', namespace: 'default' },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            ...ON_SIMULATED_NODES,
            containers: [{ name: 'app', image: 'crucible/sleeper' }],
          },
        },
      },
    });
    await pollUntil(
      async () => {
        const pods = await appPods();
        return pods.length === REPLICAS && pods.every((p) => p.status?.phase === 'Running' && isPodReady(p));
      },
      20_000,
      `${REPLICAS} pods Running and Ready`,
    );
    const pods = await appPods();
    expect(pods.every((p) => p.spec.nodeName?.startsWith('sim-'))).to.equal(true);
    expect(new Set(pods.map((p) => p.spec.nodeName)).size, 'spread over the nodes').to.be.greaterThan(
      COUNT / 2,
    );
    expect(new Set(pods.map((p) => p.status?.podIP)).size, 'distinct pod IPs').to.equal(REPLICAS);
    const [pod] = pods;
    const node = await client.get<Node>(NODES, '', pod!.spec.nodeName!);
    expect(pod!.status?.hostIP).to.equal(node.status?.addresses?.[0]?.address);
    const [container] = pod!.status!.containerStatuses!;
    expect(container).to.include({ name: 'app', ready: true, started: true, restartCount: 0 });
    expect(container!.state?.running?.startedAt).to.be.a('string');
    expect(container!.containerID).to.match(/^simulated:\/\//);
    await pollUntil(
      async () =>
        (await client.get<Deployment>(DEPLOYMENTS, 'default', 'sim').catch(() => undefined))?.status
          ?.availableReplicas === REPLICAS,
      10_000,
      'the Deployment reports every replica available',
    );
  });

  it('finalises a deleted pod at once, as a kubelet does once its containers stopped', async () => {
    const [victim] = await appPods();
    await client.delete(PODS, 'default', victim!.metadata.name!); // default grace period: 30 s
    await pollUntil(
      async () =>
        (await client.tryGet(PODS, 'default', victim!.metadata.name!).catch(() => victim)) === undefined,
      5000,
      'the deleted pod gone',
    );
    await pollUntil(
      async () => {
        const pods = await appPods();
        return pods.length === REPLICAS && pods.every(isPodReady);
      },
      10_000,
      'its replacement Ready',
    );
  });

  it('keeps every node Ready throughout, with the node lifecycle controller watching', async () => {
    expect(notReady).to.deep.equal([]);
    const nodes = await simulatedNodes();
    expect(nodes.filter((n) => readyOf(n) === 'True')).to.have.length(COUNT);
  });

  it('leaves its nodes to go Unknown when it stops, as a lost kubelet’s node does', async () => {
    await nodeWatch.stop();
    await simulator.stop();
    await pollUntil(
      async () => {
        const nodes = await simulatedNodes();
        return nodes.length === COUNT && nodes.every((n) => readyOf(n) === 'Unknown');
      },
      GRACE_PERIOD_MS + 10_000,
      'every simulated node Ready=Unknown',
    );
  });
});
