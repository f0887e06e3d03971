import { expect } from 'chai';
import { isDeepStrictEqual } from 'node:util';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { isPodActive, isPodReady } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import type { Deployment, DeploymentSpec, Event, Pod, ReplicaSet } from '../api/types.js';
import { DeploymentController } from './deployment-controller.js';
import { ReplicaSetController } from './replicaset-controller.js';

const PODS = findResource('', 'v1', 'pods')!;
const RS = findResource('apps', 'v1', 'replicasets')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const EVENTS = findResource('', 'v1', 'events')!;
const NS = 'default';
const HASH = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';

function deployment(name: string, replicas: number, spec: Partial<DeploymentSpec> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'crucible/sleeper:v1' }] },
      },
      ...spec,
    },
  };
}

/**
 * Stands in for kubelets: marks every pod of an app Running and Ready a moment after it appears,
 * as long as `accept` lets it.
 */
class PodReadier {
  private readonly firstSeen = new Map<string, number>();
  private stopped = false;
  private readonly loop: Promise<void>;
  accept: (pod: Pod) => boolean = () => true;

  constructor(
    private readonly client: ApiClient,
    private readonly app: string,
    private readonly delayMs = 100,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const pods = (await this.client.list<Pod>(PODS, NS, { labelSelector: `app=${this.app}` })).items;
      const now = Date.now();
      for (const pod of pods) {
        if (isPodReady(pod) || pod.metadata.deletionTimestamp || !this.accept(pod)) continue;
        const seen = this.firstSeen.get(pod.metadata.uid!) ?? now;
        this.firstSeen.set(pod.metadata.uid!, seen);
        if (now - seen < this.delayMs) continue;
        const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        await this.client
          .updateStatus(PODS, {
            ...pod,
            status: {
              ...pod.status,
              phase: 'Running',
              conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }],
            },
          })
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** Samples an app's pods continuously: the fewest ready, the most active, and overlaps of templates. */
class PodSampler {
  minReady = Infinity;
  maxActive = 0;
  /** Samples in which pods of more than one template were active. */
  mixedSamples = 0;
  samples = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly client: ApiClient,
    private readonly app: string,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const pods = (await this.client.list<Pod>(PODS, NS, { labelSelector: `app=${this.app}` })).items;
      const active = pods.filter(isPodActive);
      this.minReady = Math.min(this.minReady, active.filter(isPodReady).length);
      this.maxActive = Math.max(this.maxActive, active.length);
      if (new Set(active.map((p) => p.metadata.labels?.[HASH])).size > 1) this.mixedSamples++;
      this.samples++;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async stop(): Promise<this> {
    this.stopped = true;
    await this.loop;
    return this;
  }
}

describe('Deployment controller (real apiserver and etcd, with the ReplicaSet controller)', function () {
  this.timeout(90_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let stop: () => Promise<void>;
  const readiers: PodReadier[] = [];

  const ready = (app: string, delayMs?: number) => {
    const r = new PodReadier(client, app, delayMs);
    readiers.push(r);
    return r;
  };
  const activePods = async (app: string) =>
    (await client.list<Pod>(PODS, NS, { labelSelector: `app=${app}` })).items.filter(isPodActive);
  const replicaSetsOf = async (app: string) =>
    (await client.list<ReplicaSet>(RS, NS, { labelSelector: `app=${app}` })).items.sort((a, b) =>
      a.metadata.name!.localeCompare(b.metadata.name!),
    );
  const get = (name: string) => client.get<Deployment>(DEPLOYMENTS, NS, name);
  const setImage = (name: string, image: string) =>
    client.patch(
      DEPLOYMENTS,
      NS,
      name,
      { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } },
      'strategic',
    );
  /** The rollout is done as `kubectl rollout status` judges it, and every pod runs `image`. */
  const rolledOut = async (name: string, replicas: number, image: string) => {
    const d = await get(name);
    const s = d.status ?? {};
    if ((s.observedGeneration ?? 0) < d.metadata.generation! || s.updatedReplicas !== replicas) return false;
    if (s.replicas !== replicas || s.availableReplicas !== replicas) return false;
    const pods = await activePods(name);
    return (
      pods.length === replicas && pods.every((p) => p.spec.containers[0]!.image === image && isPodReady(p))
    );
  };

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    ({ stop } = runControllers(cp, (ctx) => [new ReplicaSetController(ctx), new DeploymentController(ctx)]));
  });
  after(async () => {
    await Promise.all(readiers.map((r) => r.stop()));
    await stop?.();
    await client?.close();
    await cp?.stop();
  });

  it('gives a Deployment of 10 replicas 10 pods through one ReplicaSet named after the template hash', async () => {
    ready('web');
    await client.create(DEPLOYMENTS, deployment('web', 10));
    await pollUntil(() => rolledOut('web', 10, 'crucible/sleeper:v1'), 10_000, 'web rolled out');

    const [rs, ...others] = await replicaSetsOf('web');
    expect(others).to.have.length(0);
    const hash = rs!.metadata.labels![HASH]!;
    expect(rs!.metadata.name)
      .to.equal(`web-${hash}`)
      .and.match(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs!.spec.selector.matchLabels).to.deep.equal({ app: 'web', [HASH]: hash });
    expect(rs!.spec.template!.metadata!.labels).to.deep.equal({ app: 'web', [HASH]: hash });
    expect(rs!.metadata.ownerReferences).to.deep.include({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'web',
      uid: (await get('web')).metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    const pods = await activePods('web');
    expect(pods.every((p) => p.metadata.labels?.[HASH] === hash)).to.equal(true);
  });

  it('reports the completed rollout in status, conditions, revision annotations and events', async () => {
    const d = await get('web');
    const { conditions, ...counts } = d.status!;
    expect(counts).to.deep.equal({
      observedGeneration: d.metadata.generation,
      replicas: 10,
      updatedReplicas: 10,
      readyReplicas: 10,
      availableReplicas: 10,
      unavailableReplicas: 0,
    });
    const byType = Object.fromEntries(conditions!.map((c) => [c.type, c]));
    expect(byType.Available).to.include({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(byType.Progressing).to.include({ status: 'True', reason: 'NewReplicaSetAvailable' });
    const [rs] = await replicaSetsOf('web');
    expect(byType.Progressing!.message).to.equal(
      `ReplicaSet "${rs!.metadata.name}" has successfully progressed.`,
    );
    expect(rs!.metadata.annotations).to.include({
      [REVISION]: '1',
      'deployment.kubernetes.io/desired-replicas': '10',
      'deployment.kubernetes.io/max-replicas': '13',
    });
    await pollUntil(
      async () => (await get('web')).metadata.annotations?.[REVISION] === '1',
      10_000,
      'deployment revision',
    );
    await pollUntil(
      async () => {
        const events = (await client.list<Event>(EVENTS, NS)).items;
        return events.some(
          (e) =>
            e.involvedObject.name === 'web' &&
            e.reason === 'ScalingReplicaSet' &&
            e.message === `Scaled up replica set ${rs!.metadata.name} to 10`,
        );
      },
      10_000,
      'ScalingReplicaSet event',
    );
  });

  it('scales up and down through the same ReplicaSet', async () => {
    await client.patch(DEPLOYMENTS, NS, 'web', { spec: { replicas: 13 } });
    await pollUntil(() => rolledOut('web', 13, 'crucible/sleeper:v1'), 10_000, 'scaled to 13');
    await client.patch(DEPLOYMENTS, NS, 'web', { spec: { replicas: 4 } });
    await pollUntil(() => rolledOut('web', 4, 'crucible/sleeper:v1'), 10_000, 'scaled to 4');
    await new Promise((r) => setTimeout(r, 300));
    expect(await activePods('web')).to.have.length(4);
    expect(await replicaSetsOf('web')).to.have.length(1);
  });

  it('never has fewer ready pods than desired in a rolling update with maxUnavailable 0', async () => {
    ready('surge1', 150);
    const strategy = { type: 'RollingUpdate' as const, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await client.create(DEPLOYMENTS, deployment('surge1', 4, { strategy }));
    await pollUntil(() => rolledOut('surge1', 4, 'crucible/sleeper:v1'), 10_000, 'surge1 v1');

    const sampler = new PodSampler(client, 'surge1');
    await setImage('surge1', 'crucible/sleeper:v2');
    await pollUntil(() => rolledOut('surge1', 4, 'crucible/sleeper:v2'), 30_000, 'surge1 v2');
    await sampler.stop();

    expect(sampler.samples).to.be.greaterThan(20);
    expect(sampler.minReady).to.equal(4);
    expect(sampler.maxActive).to.equal(5);
  });

  it('keeps the total within replicas + maxSurge and the ready pods within maxUnavailable', async () => {
    ready('surge2', 150);
    const strategy = {
      type: 'RollingUpdate' as const,
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    };
    await client.create(DEPLOYMENTS, deployment('surge2', 10, { strategy }));
    await pollUntil(() => rolledOut('surge2', 10, 'crucible/sleeper:v1'), 10_000, 'surge2 v1');

    const sampler = new PodSampler(client, 'surge2');
    await setImage('surge2', 'crucible/sleeper:v2');
    await pollUntil(() => rolledOut('surge2', 10, 'crucible/sleeper:v2'), 30_000, 'surge2 v2');
    await sampler.stop();

    // 25% of 10: surge rounds up to 3, unavailability down to 2.
    expect(sampler.maxActive).to.be.at.most(13);
    expect(sampler.minReady).to.be.at.least(8);
  });

  it('never has old and new pods active at the same time with Recreate', async () => {
    ready('recreate', 300);
    await client.create(DEPLOYMENTS, deployment('recreate', 3, { strategy: { type: 'Recreate' } }));
    await pollUntil(() => rolledOut('recreate', 3, 'crucible/sleeper:v1'), 10_000, 'recreate v1');

    const sampler = new PodSampler(client, 'recreate');
    await setImage('recreate', 'crucible/sleeper:v2');
    await pollUntil(() => rolledOut('recreate', 3, 'crucible/sleeper:v2'), 30_000, 'recreate v2');
    await sampler.stop();

    expect(sampler.samples).to.be.greaterThan(10);
    expect(sampler.mixedSamples).to.equal(0);
    expect(sampler.maxActive).to.equal(3);
  });

  it('rolls back with kubectl rollout undo by scaling the old ReplicaSet up again', async () => {
    const kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    ready('undo', 50);
    await client.create(DEPLOYMENTS, deployment('undo', 3));
    await pollUntil(() => rolledOut('undo', 3, 'crucible/sleeper:v1'), 10_000, 'undo v1');
    const [first] = await replicaSetsOf('undo');
    await setImage('undo', 'crucible/sleeper:v2');
    await pollUntil(() => rolledOut('undo', 3, 'crucible/sleeper:v2'), 30_000, 'undo v2');
    const before = (await replicaSetsOf('undo')).map((rs) => rs.metadata.uid);
    expect(before).to.have.length(2);

    expect(await kubectl.ok(['rollout', 'undo', 'deployment/undo', '-n', NS])).to.include('rolled back');
    await pollUntil(() => rolledOut('undo', 3, 'crucible/sleeper:v1'), 30_000, 'undo back to v1');

    const after = await replicaSetsOf('undo');
    expect(after.map((rs) => rs.metadata.uid)).to.deep.equal(before);
    const reused = after.find((rs) => rs.metadata.uid === first!.metadata.uid)!;
    expect(reused.spec.replicas).to.equal(3);
    expect(reused.metadata.annotations).to.include({
      [REVISION]: '3',
      'deployment.kubernetes.io/revision-history': '1',
    });
    const pods = await activePods('undo');
    expect(pods.every((p) => p.metadata.labels?.[HASH] === first!.metadata.labels![HASH])).to.equal(true);
    await pollUntil(
      async () => (await get('undo')).metadata.annotations?.[REVISION] === '3',
      10_000,
      'deployment revision 3',
    );
  });

  it('makes no rollout progress while paused but still scales, and resumes', async () => {
    ready('paused', 50);
    await client.create(DEPLOYMENTS, deployment('paused', 2));
    await pollUntil(() => rolledOut('paused', 2, 'crucible/sleeper:v1'), 10_000, 'paused v1');
    await client.patch(DEPLOYMENTS, NS, 'paused', { spec: { paused: true } });
    await setImage('paused', 'crucible/sleeper:v2');
    await client.patch(DEPLOYMENTS, NS, 'paused', { spec: { replicas: 3 } });

    await pollUntil(
      async () => {
        const d = await get('paused');
        return d.status?.observedGeneration === d.metadata.generation && d.status?.availableReplicas === 3;
      },
      10_000,
      'paused deployment scaled to 3',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await replicaSetsOf('paused')).to.have.length(1);
    const pods = await activePods('paused');
    expect(pods.map((p) => p.spec.containers[0]!.image)).to.deep.equal(Array(3).fill('crucible/sleeper:v1'));
    const progressing = (await get('paused')).status!.conditions!.find((c) => c.type === 'Progressing');
    expect(progressing).to.include({ status: 'Unknown', reason: 'DeploymentPaused' });

    await client.patch(DEPLOYMENTS, NS, 'paused', { spec: { paused: false } });
    await pollUntil(() => rolledOut('paused', 3, 'crucible/sleeper:v2'), 30_000, 'paused resumed to v2');
  });

  it('scales proportionally when replicas change in the middle of a rollout', async () => {
    const readier = ready('prop', 20);
    const strategy = { type: 'RollingUpdate' as const, rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };
    await client.create(DEPLOYMENTS, deployment('prop', 10, { strategy }));
    await pollUntil(() => rolledOut('prop', 10, 'crucible/sleeper:v1'), 10_000, 'prop v1');
    // The new template never becomes ready, so the rollout stalls where the budgets say.
    readier.accept = (pod) => pod.spec.containers[0]!.image === 'crucible/sleeper:v1';
    await setImage('prop', 'crucible/sleeper:v2');
    const sizes = async () => {
      const byImage = new Map<string, number | undefined>();
      for (const rs of await replicaSetsOf('prop'))
        byImage.set(rs.spec.template!.spec.containers[0]!.image!, rs.spec.replicas);
      return [byImage.get('crucible/sleeper:v1'), byImage.get('crucible/sleeper:v2')];
    };
    await pollUntil(
      async () => isDeepStrictEqual(await sizes(), [8, 5]),
      10_000,
      'rollout stalled at 8 old + 5 new',
    );

    await client.patch(DEPLOYMENTS, NS, 'prop', { spec: { replicas: 15 } });
    // 5 more up to 15 + 3, spread by share of the 13 they were sized for: 8 * 18/13 ≈ 11, 5 * 18/13 ≈ 7.
    await pollUntil(
      async () => isDeepStrictEqual(await sizes(), [11, 7]),
      10_000,
      'proportional scale to 11 + 7',
    );
    for (const rs of await replicaSetsOf('prop')) {
      expect(rs.metadata.annotations).to.include({
        'deployment.kubernetes.io/desired-replicas': '15',
        'deployment.kubernetes.io/max-replicas': '18',
      });
    }
  });

  it('deletes old ReplicaSets beyond revisionHistoryLimit once scaled to 0', async () => {
    ready('history', 20);
    await client.create(DEPLOYMENTS, deployment('history', 2, { revisionHistoryLimit: 1 }));
    await pollUntil(() => rolledOut('history', 2, 'crucible/sleeper:v1'), 10_000, 'history v1');
    for (const image of ['crucible/sleeper:v2', 'crucible/sleeper:v3', 'crucible/sleeper:v4']) {
      await setImage('history', image);
      await pollUntil(() => rolledOut('history', 2, image), 30_000, `history ${image}`);
    }
    await pollUntil(
      async () => (await replicaSetsOf('history')).length === 2,
      10_000,
      'history trimmed to 2',
    );
    const revisions = (await replicaSetsOf('history'))
      .map((rs) => rs.metadata.annotations?.[REVISION])
      .sort();
    expect(revisions).to.deep.equal(['3', '4']);
  });

  it('adopts a matching orphan ReplicaSet as its new one and releases it when its labels stop matching', async () => {
    ready('adopt', 20);
    const template = deployment('adopt', 2).spec.template;
    const orphan = await client.create<ReplicaSet>(RS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'adopt-orphan', namespace: NS, labels: { app: 'adopt' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'adopt' } }, template },
    });
    const d = await client.create(DEPLOYMENTS, deployment('adopt', 2));
    await pollUntil(
      async () => {
        const rs = await client.get<ReplicaSet>(RS, NS, 'adopt-orphan');
        return rs.metadata.ownerReferences?.[0]?.uid === d.metadata.uid && rs.spec.replicas === 2;
      },
      10_000,
      'orphan adopted and scaled to 2',
    );
    expect((await replicaSetsOf('adopt')).map((rs) => rs.metadata.uid)).to.deep.equal([orphan.metadata.uid]);

    await client.patch(RS, NS, 'adopt-orphan', { metadata: { labels: { app: 'elsewhere' } } });
    await pollUntil(
      async () =>
        (await client.get<ReplicaSet>(RS, NS, 'adopt-orphan')).metadata.ownerReferences === undefined,
      10_000,
      'released',
    );
    await pollUntil(
      async () => {
        const owned = (await replicaSetsOf('adopt')).filter(
          (rs) => rs.metadata.ownerReferences?.[0]?.uid === d.metadata.uid,
        );
        return (
          owned.length === 1 &&
          owned[0]!.metadata.labels?.[HASH] !== undefined &&
          owned[0]!.spec.replicas === 2
        );
      },
      10_000,
      'a new ReplicaSet in its place',
    );
  });

  it('lets kubectl rollout status return 0 once the rollout is done', async () => {
    const kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    ready('status', 200);
    await client.create(DEPLOYMENTS, deployment('status', 3));
    await pollUntil(() => rolledOut('status', 3, 'crucible/sleeper:v1'), 10_000, 'status v1');
    await setImage('status', 'crucible/sleeper:v2');
    const result = await kubectl.run(['rollout', 'status', 'deployment/status', '-n', NS, '--timeout=60s'], {
      timeoutMs: 70_000,
    });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('deployment "status" successfully rolled out');
    expect(await rolledOut('status', 3, 'crucible/sleeper:v2')).to.equal(true);
  });

  it('reports ProgressDeadlineExceeded when a rollout stalls, and kubectl rollout status fails', async () => {
    const kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    await client.create(DEPLOYMENTS, deployment('stuck', 2, { progressDeadlineSeconds: 2 }));
    await pollUntil(
      async () =>
        (await get('stuck')).status?.conditions?.some(
          (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
        ) ?? false,
      15_000,
      'ProgressDeadlineExceeded',
    );
    const result = await kubectl.run(['rollout', 'status', 'deployment/stuck', '-n', NS, '--timeout=20s']);
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include('exceeded its progress deadline');
  });
});
