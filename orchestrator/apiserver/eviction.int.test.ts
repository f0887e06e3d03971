import { expect } from 'chai';
import { adminClient } from '../../testing/controller-context.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import type { ApiClient } from '../api/client/index.js';
import { isApiError, type ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { Pod, PodDisruptionBudget, PodDisruptionBudgetStatus } from '../api/types.js';

const PODS = findResource('', 'v1', 'pods')!;
const BUDGETS = findResource('policy', 'v1', 'poddisruptionbudgets')!;
const REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

/**
 * The Eviction API's rules against a real apiserver and etcd, with no disruption controller
 * running: each budget's status is written here, so what the eviction itself writes shows.
 */
describe('pods/eviction (real apiserver and etcd, budgets with hand-written status)', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let n = 0;
  const ns = () => `evict-${n}`;

  const evict = (pod: string, body: object = {}, query = '') =>
    cp.request('POST', `/api/v1/namespaces/${ns()}/pods/${pod}/eviction${query}`, TEST_TOKENS.admin, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: pod, namespace: ns() },
      ...body,
    });

  async function pod(name: string, phase: string, ready: boolean, labels = { app: 'web' }): Promise<Pod> {
    const created = await client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns(), labels },
      spec: { containers: [{ name: 'main', image: 'crucible/echo' }] },
    } as Pod);
    return client.updateStatus<Pod>(PODS, {
      ...created,
      status: {
        phase: phase as 'Running',
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      },
    });
  }

  async function budget(
    name: string,
    spec: PodDisruptionBudget['spec'],
    status: Partial<PodDisruptionBudgetStatus>,
  ): Promise<PodDisruptionBudget> {
    const created = await client.create<PodDisruptionBudget>(BUDGETS, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name, namespace: ns() },
      spec,
    });
    return client.updateStatus<PodDisruptionBudget>(BUDGETS, {
      ...created,
      status: {
        observedGeneration: created.metadata.generation,
        disruptionsAllowed: 0,
        currentHealthy: 0,
        desiredHealthy: 0,
        expectedPods: 0,
        ...status,
      },
    });
  }

  const podGone = async (name: string) => (await client.tryGet<Pod>(PODS, ns(), name)) === undefined;
  const budgetNow = (name: string) => client.get<PodDisruptionBudget>(BUDGETS, ns(), name);

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
  });
  beforeEach(async () => {
    n++;
    await client.create(findResource('', 'v1', 'namespaces')!, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns() },
    });
  });
  after(async () => {
    await client?.close();
    await cp?.stop();
  });

  it('a new budget reads as allowing nothing: its four counts are 0', async () => {
    const created = await client.create<PodDisruptionBudget>(BUDGETS, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'fresh', namespace: ns() },
      spec: { maxUnavailable: '25%', selector: { matchLabels: { app: 'web' } } },
      status: { disruptionsAllowed: 5, currentHealthy: 5, desiredHealthy: 0, expectedPods: 5 },
    } as PodDisruptionBudget);
    expect(created.status).to.deep.equal({
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    });
    expect(created.metadata.generation).to.equal(1);
  });

  it('spends one disruption and records the pod in disruptedPods, then refuses with 429', async () => {
    await pod('a', 'Running', true);
    await pod('b', 'Running', true);
    await budget(
      'web',
      { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
      { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
    );
    const ok = await evict('a');
    expect(ok.status).to.equal(201);
    expect(ok.body).to.deep.equal({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 201,
    });
    expect(await podGone('a')).to.equal(true);
    const spent = await budgetNow('web');
    expect(spent.status!.disruptionsAllowed).to.equal(0);
    expect(Object.keys(spent.status!.disruptedPods!)).to.deep.equal(['a']);
    expect(spent.status!.disruptedPods!['a']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(spent.status!.conditions).to.deep.equal([
      {
        type: 'DisruptionAllowed',
        status: 'False',
        reason: 'InsufficientPods',
        message: '',
        lastTransitionTime: spent.status!.disruptedPods!['a'],
      },
    ]);

    const refused = await evict('b');
    expect(refused.status).to.equal(429);
    expect(refused.body).to.deep.include({ reason: 'TooManyRequests', message: REFUSED, code: 429 });
    expect(refused.body.details.causes[0].message).to.equal(
      'The disruption budget web needs 1 healthy pods and has 2 currently',
    );
    expect(await podGone('b')).to.equal(false);
  });

  it('refuses while the budget status is older than its spec', async () => {
    await pod('a', 'Running', true);
    const pdb = await budget(
      'web',
      { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
      {
        disruptionsAllowed: 3,
      },
    );
    await client.update<PodDisruptionBudget>(BUDGETS, { ...pdb, spec: { ...pdb.spec, minAvailable: 0 } });
    const refused = await evict('a');
    expect(refused.status).to.equal(429);
    expect(refused.body.details.causes[0].message).to.equal(
      'The disruption budget web is still being processed by the server.',
    );
  });

  it('deletes pods that disrupt nothing more without asking the budget: Pending, Succeeded, Failed', async () => {
    await budget('web', { minAvailable: 5, selector: { matchLabels: { app: 'web' } } }, {});
    for (const [name, phase] of [
      ['pending', 'Pending'],
      ['done', 'Succeeded'],
      ['failed', 'Failed'],
    ] as const) {
      await pod(name, phase, false);
      expect((await evict(name)).status, name).to.equal(201);
      expect(await podGone(name), name).to.equal(true);
    }
    expect((await budgetNow('web')).status!.disruptedPods).to.equal(undefined);
  });

  it('deletes an unready pod without spending a healthy budget, and refuses it from a budget short of healthy pods', async () => {
    await pod('sick', 'Running', false);
    await pod('sick-2', 'Running', false, { app: 'api' });
    await budget(
      'web',
      { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
      { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 },
    );
    await budget(
      'api',
      { minAvailable: 2, selector: { matchLabels: { app: 'api' } } },
      { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 2 },
    );
    expect((await evict('sick')).status).to.equal(201);
    expect(await podGone('sick')).to.equal(true);
    expect((await budgetNow('web')).status!.disruptedPods).to.equal(undefined);
    expect((await evict('sick-2')).status).to.equal(429);
  });

  it('deletes an unready pod whatever the budget with unhealthyPodEvictionPolicy AlwaysAllow', async () => {
    await pod('sick', 'Running', false);
    await budget(
      'web',
      {
        minAvailable: 3,
        selector: { matchLabels: { app: 'web' } },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
      { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 3, expectedPods: 3 },
    );
    expect((await evict('sick')).status).to.equal(201);
    expect(await podGone('sick')).to.equal(true);
  });

  it('deletes a pod no budget covers, and refuses one that two budgets cover (500)', async () => {
    await pod('free', 'Running', true, { app: 'free' });
    await pod('twice', 'Running', true);
    await budget(
      'one',
      { minAvailable: 0, selector: { matchLabels: { app: 'web' } } },
      { disruptionsAllowed: 1 },
    );
    await budget(
      'two',
      { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
      { disruptionsAllowed: 1 },
    );
    // A budget with an empty selector covers no pod here, as upstream.
    await budget('all', { minAvailable: 9, selector: {} }, {});
    expect((await evict('free')).status).to.equal(201);
    const twice = await evict('twice');
    expect(twice.status).to.equal(500);
    expect(twice.body.message).to.equal(
      'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  });

  it('is what ApiClient.evict calls: a refusal rejects at once as TooManyRequests, not retried', async () => {
    await pod('a', 'Running', true);
    await pod('b', 'Running', true);
    await budget(
      'web',
      { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
      { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
    );
    await client.evict(PODS, ns(), 'a');
    expect(await podGone('a')).to.equal(true);
    const started = Date.now();
    const refusal = await client.evict(PODS, ns(), 'b').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).to.be.below(1000);
    expect(isApiError(refusal, 'TooManyRequests')).to.equal(true);
    expect((refusal as ApiError).code).to.equal(429);
    expect((refusal as ApiError).message).to.equal(REFUSED);
  });

  it('changes nothing in a dry run, and refuses a body naming another pod', async () => {
    await pod('a', 'Running', true);
    await budget(
      'web',
      { minAvailable: 0, selector: { matchLabels: { app: 'web' } } },
      { disruptionsAllowed: 1 },
    );
    expect((await evict('a', {}, '?dryRun=All')).status).to.equal(201);
    expect((await evict('a', { deleteOptions: { dryRun: ['All'] } })).status).to.equal(201);
    expect(await podGone('a')).to.equal(false);
    expect((await budgetNow('web')).status!.disruptionsAllowed).to.equal(1);
    const mismatch = await evict('a', { metadata: { name: 'b', namespace: ns() } });
    expect(mismatch.status).to.equal(400);
    expect(mismatch.body.message).to.equal('name in URL does not match name in Eviction object');
    expect((await evict('nope')).status).to.equal(404);
  });
});
