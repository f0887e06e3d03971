import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalProcess } from '../../harness/cluster/local-process.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import { startComponent } from '../../testing/component-process.js';
import { adminClient } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane, kubeletToken } from '../../testing/test-control-plane.js';
import type { ApiClient } from '../api/client/index.js';
import { isPodReady } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import type { Node, Pod, PodDisruptionBudget } from '../api/types.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const BUDGETS = findResource('policy', 'v1', 'poddisruptionbudgets')!;

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: echo
          image: crucible/echo
          ports: [{ containerPort: 8080, name: http }]
`;

describe('PodDisruptionBudget, its controller and the Eviction API (real apiserver, etcd, scheduler, controller-manager, kubelets and kubectl)', function () {
  this.timeout(180_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let kubectl: Kubectl;
  let rootDir: string;
  const processes: LocalProcess[] = [];

  const webPods = async (): Promise<Pod[]> =>
    (await client.list<Pod>(PODS, 'shop', { labelSelector: 'app=web' })).items;
  const readyPods = async () =>
    (await webPods()).filter((p) => !p.metadata.deletionTimestamp && isPodReady(p));
  const budget = () => client.get<PodDisruptionBudget>(BUDGETS, 'shop', 'web');
  const evict = (pod: string) =>
    cp.request('POST', `/api/v1/namespaces/shop/pods/${pod}/eviction`, TEST_TOKENS.admin, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: pod, namespace: 'shop' },
    });
  async function waitForBudget(
    what: string,
    check: (pdb: PodDisruptionBudget) => boolean,
  ): Promise<PodDisruptionBudget> {
    let last: PodDisruptionBudget | undefined;
    await pollUntil(async () => check((last = await budget())), 30_000, `budget web: ${what}`).catch(
      (e: Error) => {
        throw new Error(`${e.message}; last status: ${JSON.stringify(last?.status)}`);
      },
    );
    return last!;
  }

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    rootDir = await mkdtemp(join(tmpdir(), 'crucible-disruption-'));
    for (const node of ['worker-1', 'worker-2'] as const) {
      processes.push(
        await startComponent(
          cp,
          'kubelet',
          node,
          [`--node-name=${node}`, `--root-dir=${join(rootDir, node)}`, '--port=0'],
          kubeletToken(node),
        ),
      );
    }
    await pollUntil(
      async () =>
        (await client.list<Node>(NODES)).items.filter((n) =>
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        ).length === 2,
      20_000,
      'two Ready nodes',
    );
    processes.push(await startComponent(cp, 'scheduler', 'sched'));
    processes.push(await startComponent(cp, 'controller-manager', 'cm'));
    await kubectl.ok(['create', 'namespace', 'shop']);
    // Both replicas on worker-1, so that draining it has something to respect.
    await kubectl.ok(['cordon', 'worker-2']);
    await kubectl.ok(['apply', '-f', '-'], DEPLOYMENT);
    await pollUntil(async () => (await readyPods()).length === 2, 30_000, 'two Ready web pods');
    await kubectl.ok(['uncordon', 'worker-2']);
  });

  after(async () => {
    for (const p of processes.reverse()) await p.stop();
    await client?.close();
    await cp?.stop();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  it('creates a budget with kubectl, reports it healthy and prints the upstream columns', async () => {
    await kubectl.ok([
      'create',
      'poddisruptionbudget',
      'web',
      '-n',
      'shop',
      '--selector=app=web',
      '--min-available=2',
    ]);
    const pdb = await waitForBudget('2 healthy of 2 desired', (b) => b.status?.currentHealthy === 2);
    expect(pdb.status).to.deep.include({
      observedGeneration: 1,
      currentHealthy: 2,
      desiredHealthy: 2,
      expectedPods: 2,
      disruptionsAllowed: 0,
    });
    expect(pdb.status!.conditions).to.have.length(1);
    expect(pdb.status!.conditions![0]).to.deep.include({
      type: 'DisruptionAllowed',
      status: 'False',
      reason: 'InsufficientPods',
    });
    const table = await kubectl.ok(['get', 'pdb', '-n', 'shop']);
    expect(table).to.match(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\n/);
    expect(table).to.match(/\nweb\s+2\s+N\/A\s+0\s+\d+s\n/);
  });

  it('refuses an invalid budget, naming the fields', async () => {
    const r = await kubectl.run(['apply', '-f', '-'], {
      input: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: bad, namespace: shop }
spec:
  minAvailable: 1
  maxUnavailable: 150%
  unhealthyPodEvictionPolicy: Sometimes
`,
    });
    expect(r.code).to.not.equal(0);
    expect(r.stderr)
      .to.include('spec: Invalid value:')
      .and.include('minAvailable and maxUnavailable cannot be both set')
      .and.include('spec.maxUnavailable: Invalid value: "150%": must not be greater than 100%')
      .and.include('spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes"');
  });

  it('refuses an eviction that would break minAvailable 2 with 429 and leaves the pod', async () => {
    const [pod] = await readyPods();
    const answer = await evict(pod!.metadata.name!);
    expect(answer.status).to.equal(429);
    expect(answer.body).to.deep.include({
      kind: 'Status',
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      code: 429,
    });
    expect(answer.body.details.causes).to.deep.equal([
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget web needs 2 healthy pods and has 2 currently',
      },
    ]);
    const still = await client.get<Pod>(PODS, 'shop', pod!.metadata.name!);
    expect(still.metadata.deletionTimestamp).to.equal(undefined);
  });

  it('with minAvailable 1 allows one eviction, refuses a second until the replacement is Ready', async () => {
    await kubectl.ok([
      'patch',
      'pdb',
      'web',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"spec":{"minAvailable":1}}',
    ]);
    await waitForBudget(
      'one disruption allowed at generation 2',
      (b) => b.status?.observedGeneration === 2 && b.status.disruptionsAllowed === 1,
    );
    const [first, second] = await readyPods();
    const evicted = await evict(first!.metadata.name!);
    expect(evicted.status).to.equal(201);
    expect(evicted.body).to.deep.include({ kind: 'Status', status: 'Success' });
    // The eviction spent the budget at once (eviction.int.test.ts shows its disruptedPods entry,
    // which the controller drops as soon as it sees the pod terminating).
    expect((await budget()).status!.disruptionsAllowed).to.equal(0);
    const gone = await client.tryGet<Pod>(PODS, 'shop', first!.metadata.name!);
    expect(gone === undefined || gone.metadata.deletionTimestamp !== undefined).to.equal(true);

    const refused = await evict(second!.metadata.name!);
    expect(refused.status).to.equal(429);
    expect(refused.body.message).to.equal(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );

    await pollUntil(async () => (await readyPods()).length === 2, 30_000, 'the replacement Ready');
    await waitForBudget('a disruption allowed again', (b) => b.status?.disruptionsAllowed === 1);
    expect((await evict(second!.metadata.name!)).status).to.equal(201);
  });

  it('lets a tenant with edit evict its pods, and a viewer not', async () => {
    await kubectl.ok([
      'create',
      'rolebinding',
      'alice-edit',
      '--clusterrole=edit',
      '--user=alice',
      '-n',
      'shop',
    ]);
    await kubectl.ok(['create', 'rolebinding', 'bob-view', '--clusterrole=view', '--user=bob', '-n', 'shop']);
    const can = async (token: string, verb: string, what: string) =>
      (await kubectl.as(token).run(['auth', 'can-i', verb, what, '-n', 'shop'])).stdout.trim();
    await pollUntil(
      async () => (await can(TEST_TOKENS.alice, 'create', 'pods/eviction')) === 'yes',
      10_000,
      'alice may evict',
    );
    expect(await can(TEST_TOKENS.alice, 'create', 'poddisruptionbudgets.policy')).to.equal('yes');
    expect(await can(TEST_TOKENS.bob, 'create', 'pods/eviction')).to.equal('no');
    expect(await can(TEST_TOKENS.bob, 'list', 'poddisruptionbudgets.policy')).to.equal('yes');
  });

  it('kubectl drain evicts through the budget: stuck at minAvailable 2, done at minAvailable 1', async () => {
    await pollUntil(async () => (await readyPods()).length === 2, 30_000, 'two Ready web pods');
    // Put both pods back on worker-1 so that the drain has two pods to move.
    await kubectl.ok(['cordon', 'worker-2']);
    await kubectl.ok(['rollout', 'restart', 'deployment/web', '-n', 'shop']);
    await pollUntil(
      async () => {
        const pods = await webPods();
        const ready = pods.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p));
        return pods.length === 2 && ready.length === 2 && ready.every((p) => p.spec.nodeName === 'worker-1');
      },
      60_000,
      'both web pods Ready on worker-1',
    );
    await kubectl.ok(['uncordon', 'worker-2']);
    await kubectl.ok([
      'patch',
      'pdb',
      'web',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"spec":{"minAvailable":2}}',
    ]);
    await waitForBudget(
      'nothing allowed at minAvailable 2',
      (b) =>
        b.status !== undefined &&
        b.status.observedGeneration === b.metadata.generation &&
        b.status.currentHealthy === 2 &&
        b.status.disruptionsAllowed === 0,
    );

    const stuck = await kubectl.run(
      ['drain', 'worker-1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=8s'],
      { timeoutMs: 60_000 },
    );
    expect(stuck.code, stuck.stdout + stuck.stderr).to.not.equal(0);
    expect(stuck.stdout + stuck.stderr).to.include(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    expect((await readyPods()).filter((p) => p.spec.nodeName === 'worker-1')).to.have.length(2);
    expect((await client.get<Node>(NODES, '', 'worker-1')).spec?.unschedulable).to.equal(true);

    await kubectl.ok([
      'patch',
      'pdb',
      'web',
      '-n',
      'shop',
      '--type=merge',
      '-p',
      '{"spec":{"minAvailable":1}}',
    ]);
    const started = Date.now();
    const drained = await kubectl.run(
      ['drain', 'worker-1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=90s'],
      { timeoutMs: 120_000 },
    );
    expect(drained.code, drained.stdout + drained.stderr).to.equal(0);
    expect(drained.stdout).to.include('node/worker-1 drained');
    // One pod went at once; the other waited (429s) until its replacement was Ready elsewhere.
    expect(drained.stdout + drained.stderr).to.include(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    const pods = (await webPods()).filter((p) => !p.metadata.deletionTimestamp);
    expect(pods.map((p) => p.spec.nodeName)).to.deep.equal(['worker-2', 'worker-2']);
    console.log(`      drain took ${Date.now() - started} ms`);
  });
});
