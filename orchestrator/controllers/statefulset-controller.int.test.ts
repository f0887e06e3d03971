import { expect } from 'chai';
import type { LocalProcess } from '../../harness/cluster/local-process.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import { startComponent } from '../../testing/component-process.js';
import { adminClient } from '../../testing/controller-context.js';
import { FakeNodes } from '../../testing/fake-nodes.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import { TIMING_PROFILES } from '../api/timing-profile.js';
import type { ControllerRevision, Pod, StatefulSet } from '../api/types.js';

const PODS = findResource('', 'v1', 'pods')!;
const STS = findResource('apps', 'v1', 'statefulsets')!;
const REVISIONS = findResource('apps', 'v1', 'controllerrevisions')!;
const fast = TIMING_PROFILES.fast;

function manifest(name: string, replicas: number, extra: string[] = []): string {
  return [
    'apiVersion: apps/v1',
    'kind: StatefulSet',
    `metadata: { name: ${name}, namespace: default }`,
    'spec:',
    `  replicas: ${replicas}`,
    `  serviceName: ${name}`,
    `  selector: { matchLabels: { app: ${name} } }`,
    ...extra.map((l) => `  ${l}`),
    '  template:',
    `    metadata: { labels: { app: ${name} } }`,
    '    spec: { containers: [{ name: c, image: crucible/sleeper }] }',
  ].join('\n');
}

/**
 * The StatefulSet controller in a real controller-manager process, with a real scheduler process,
 * over a real apiserver and etcd; nodes are FakeNodes, which play the kubelet's part (start bound
 * pods, confirm deletions) only while they are "reachable". Driven through the real kubectl.
 */
describe('StatefulSet controller (controller-manager and scheduler processes, real kubectl)', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let nodes: FakeNodes;
  let kubectl: Kubectl;
  const processes: LocalProcess[] = [];

  /** The pods of set `name` that exist (terminating ones included), by name. */
  const podsOf = async (name: string) =>
    (await client.list<Pod>(PODS, 'default', { labelSelector: `app=${name}` })).items.sort((a, b) =>
      a.metadata.name!.localeCompare(b.metadata.name!),
    );
  const names = async (name: string) => (await podsOf(name)).map((p) => p.metadata.name);
  const status = async (name: string) => (await client.get<StatefulSet>(STS, 'default', name)).status;
  const runningReady = (p: Pod): boolean =>
    p.status?.phase === 'Running' &&
    Boolean(p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) &&
    !p.metadata.deletionTimestamp;
  const readyCount = async (name: string) => (await podsOf(name)).filter(runningReady).length;

  before(async () => {
    cp = await TestControlPlane.start({
      defaulting: {
        notReadyTolerationSeconds: fast.defaultTolerationSeconds,
        unreachableTolerationSeconds: fast.defaultTolerationSeconds,
      },
    });
    client = adminClient(cp);
    kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    nodes = await FakeNodes.register(client, ['node-1', 'node-2', 'node-3']);
    processes.push(await startComponent(cp, 'scheduler', 'sched'));
    processes.push(await startComponent(cp, 'controller-manager', 'cm'));
  });
  after(async () => {
    for (const p of processes) await p.stop();
    await nodes?.stop();
    await client?.close();
    await cp?.stop();
  });

  it('OrderedReady: creates web-0 first and web-1 only once web-0 is Running and Ready', async () => {
    nodes.runPods = false;
    expect(await kubectl.ok(['apply', '-f', '-'], manifest('web', 3))).to.contain(
      'statefulset.apps/web created',
    );
    await pollUntil(async () => (await names('web')).length === 1, 10_000, 'web-0');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await names('web')).to.deep.equal(['web-0']);
    nodes.runPods = true;
    await pollUntil(async () => (await readyCount('web')) === 3, 20_000, '3 ready pods');
    expect(await names('web')).to.deep.equal(['web-0', 'web-1', 'web-2']);
    const pod = (await podsOf('web'))[1]!;
    expect(pod.spec.hostname).to.equal('web-1');
    expect(pod.spec.subdomain).to.equal('web');
    expect(pod.metadata.labels).to.include({
      'statefulset.kubernetes.io/pod-name': 'web-1',
      'apps.kubernetes.io/pod-index': '1',
    });
    expect(pod.metadata.ownerReferences?.[0]).to.include({
      kind: 'StatefulSet',
      name: 'web',
      controller: true,
    });
  });

  it('is served to kubectl: get with READY, describe, rollout status, scale', async () => {
    await pollUntil(async () => (await status('web'))?.readyReplicas === 3, 10_000, 'status.readyReplicas 3');
    const table = await kubectl.ok(['get', 'statefulsets']);
    expect(table).to.match(/^NAME\s+READY\s+AGE/);
    expect(table).to.match(/^web\s+3\/3\s+/m);
    expect(await kubectl.ok(['get', 'sts', 'web', '-o', 'wide'])).to.match(
      /CONTAINERS\s+IMAGES[\s\S]*c\s+crucible\/sleeper/,
    );
    const described = await kubectl.ok(['describe', 'statefulset', 'web']);
    expect(described).to.match(/Replicas:\s+3 desired \| 3 total/);
    expect(described).to.match(/Update Strategy:\s+RollingUpdate/);
    expect(described).to.match(/Pods Status:\s+3 Running/);
    expect(described).to.contain('create Pod web-2 in StatefulSet web successful');
    const rollout = await kubectl.ok(['rollout', 'status', 'statefulset/web', '--timeout=20s']);
    expect(rollout).to.contain('partitioned roll out complete: 3 new pods have been updated...');
    expect(await kubectl.ok(['get', 'controllerrevisions'])).to.match(
      /^web-\w+\s+statefulset\.apps\/web\s+1\s+/m,
    );
  });

  it('scales down from the highest ordinal, and refuses volumeClaimTemplates and a changed selector by name', async () => {
    await kubectl.ok(['scale', 'statefulset', 'web', '--replicas=1']);
    await pollUntil(async () => (await names('web')).length === 1, 20_000, 'one pod left');
    expect(await names('web')).to.deep.equal(['web-0']);
    const claims = await kubectl.run(['apply', '-f', '-'], {
      input: manifest('db', 1, [
        'volumeClaimTemplates: [{ metadata: { name: data }, spec: { accessModes: [ReadWriteOnce] } }]',
      ]),
    });
    expect(claims.stderr).to.contain(
      'spec.volumeClaimTemplates: Forbidden: volumeClaimTemplates are not supported',
    );
    const selector = await kubectl.run(['patch', 'sts', 'web', '-p', '{"spec":{"serviceName":"other"}}']);
    expect(selector.stderr).to.contain(
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
  });

  it('RollingUpdate with a partition updates only the ordinals at or above it, then all once lowered', async () => {
    await kubectl.ok(['scale', 'statefulset', 'web', '--replicas=3']);
    await pollUntil(async () => (await readyCount('web')) === 3, 20_000, '3 ready pods');
    const before = (await status('web'))!.currentRevision!;
    await kubectl.ok([
      'patch',
      'sts',
      'web',
      '-p',
      '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}},"template":{"metadata":{"annotations":{"v":"2"}}}}}',
    ]);
    const rollout = await kubectl.ok(['rollout', 'status', 'statefulset/web', '--timeout=30s']);
    expect(rollout).to.contain('partitioned roll out complete: 1 new pods have been updated...');
    const after = (await status('web'))!;
    expect(after.updateRevision).to.not.equal(before);
    expect(after.currentRevision).to.equal(before);
    const revisions = (await podsOf('web')).map((p) => p.metadata.labels!['controller-revision-hash']);
    expect(revisions).to.deep.equal([before, before, after.updateRevision]);
    // A pod below the partition that is deleted comes back at the revision it ran.
    await kubectl.ok(['delete', 'pod', 'web-0']);
    await pollUntil(async () => (await readyCount('web')) === 3, 20_000, 'web-0 back');
    expect((await podsOf('web'))[0]!.metadata.labels!['controller-revision-hash']).to.equal(before);

    await kubectl.ok([
      'patch',
      'sts',
      'web',
      '-p',
      '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}',
    ]);
    await pollUntil(
      async () => {
        const s = await status('web');
        return s?.currentRevision === s?.updateRevision && s?.updatedReplicas === 3 && s.readyReplicas === 3;
      },
      30_000,
      'rolled out to every ordinal',
    );
    const revs = await client.list<ControllerRevision>(REVISIONS, 'default');
    expect(revs.items.map((r) => r.revision).sort()).to.deep.equal([1, 2]);
  });

  it('OnDelete replaces a pod with the new template only when it is deleted', async () => {
    await kubectl.ok([
      'patch',
      'sts',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null},"template":{"metadata":{"annotations":{"v":"3"}}}}}',
    ]);
    await pollUntil(
      async () =>
        (await status('web'))?.observedGeneration ===
        (await client.get<StatefulSet>(STS, 'default', 'web')).metadata.generation,
      10_000,
      'observed',
    );
    const update = (await status('web'))!.updateRevision!;
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      (await podsOf('web')).filter((p) => p.metadata.labels!['controller-revision-hash'] === update),
    ).to.have.length(0);
    await kubectl.ok(['delete', 'pod', 'web-1']);
    await pollUntil(
      async () =>
        (await podsOf('web')).find((p) => p.metadata.name === 'web-1' && runningReady(p))?.metadata.labels![
          'controller-revision-hash'
        ] === update,
      20_000,
      'web-1 at the new revision',
    );
    const hashes = (await podsOf('web')).map(
      (p) => p.metadata.labels!['controller-revision-hash'] === update,
    );
    expect(hashes).to.deep.equal([false, true, false]);
  });

  it('Parallel: creates every missing pod at once, without waiting for readiness', async () => {
    nodes.runPods = false;
    await kubectl.ok(['apply', '-f', '-'], manifest('par', 3, ['podManagementPolicy: Parallel']));
    await pollUntil(async () => (await names('par')).length === 3, 10_000, '3 pods at once');
    expect(await readyCount('par')).to.equal(0);
    nodes.runPods = true;
    await pollUntil(async () => (await readyCount('par')) === 3, 20_000, '3 ready');
  });

  it('never runs two pods of one identity: a pod on an unreachable node is replaced only once it is gone for certain', async () => {
    const victim = (await podsOf('par')).find((p) => p.metadata.name === 'par-0')!;
    const node = victim.spec.nodeName!;
    nodes.stopRenewing(node);
    // The node goes Unknown, its pods are evicted (marked for deletion) but their kubelet cannot
    // confirm they stopped: the pod object stays, and so the identity stays taken.
    await pollUntil(
      async () => (await client.get<Pod>(PODS, 'default', 'par-0')).metadata.deletionTimestamp !== undefined,
      30_000,
      'par-0 evicted from the unreachable node',
    );
    const seen = new Set<string>();
    for (let i = 0; i < 15; i++) {
      const pods = (await podsOf('par')).filter((p) => p.metadata.name === 'par-0');
      expect(pods).to.have.length(1);
      seen.add(pods[0]!.metadata.uid!);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect([...seen]).to.deep.equal([victim.metadata.uid]);
    // The node comes back: its kubelet confirms the deletion, and only then is par-0 made again.
    nodes.resumeRenewing(node);
    await pollUntil(
      async () => {
        const p = await client.tryGet<Pod>(PODS, 'default', 'par-0');
        return p !== undefined && p.metadata.uid !== victim.metadata.uid && runningReady(p);
      },
      30_000,
      'a new par-0, Running and Ready',
    );

    // Again, and this time an operator force-deletes the pod: that is "gone for certain" too.
    const second = (await client.get<Pod>(PODS, 'default', 'par-1'))!;
    nodes.stopRenewing(second.spec.nodeName!);
    await pollUntil(
      async () => (await client.get<Pod>(PODS, 'default', 'par-1')).metadata.deletionTimestamp !== undefined,
      30_000,
      'par-1 evicted',
    );
    await kubectl.ok(['delete', 'pod', 'par-1', '--force', '--grace-period=0']);
    await pollUntil(
      async () => {
        const p = await client.tryGet<Pod>(PODS, 'default', 'par-1');
        return p !== undefined && p.metadata.uid !== second.metadata.uid;
      },
      20_000,
      'a new par-1 after the force deletion',
    );
    nodes.resumeRenewing(second.spec.nodeName!);
  });

  it('deletes the pods with the set (garbage collection through ownerReferences)', async () => {
    expect(await kubectl.ok(['delete', 'statefulset', 'par'])).to.contain('statefulset.apps "par" deleted');
    await pollUntil(async () => (await names('par')).length === 0, 30_000, 'par pods gone');
  });
});
