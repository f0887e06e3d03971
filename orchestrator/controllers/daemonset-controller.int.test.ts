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
import type { DaemonSet, Pod } from '../api/types.js';

const PODS = findResource('', 'v1', 'pods')!;
const DAEMONSETS = findResource('apps', 'v1', 'daemonsets')!;
const fast = TIMING_PROFILES.fast;

function manifest(name: string, extraPodSpec: string[] = []): string {
  return [
    'apiVersion: apps/v1',
    'kind: DaemonSet',
    `metadata: { name: ${name}, namespace: default }`,
    'spec:',
    `  selector: { matchLabels: { app: ${name} } }`,
    '  template:',
    `    metadata: { labels: { app: ${name} } }`,
    '    spec:',
    '      containers: [{ name: c, image: crucible/sleeper }]',
    ...extraPodSpec.map((l) => `      ${l}`),
  ].join('\n');
}

/**
 * The DaemonSet controller in a real controller-manager process, with a real scheduler process,
 * over a real apiserver and etcd; FakeNodes play the kubelets. Driven through the real kubectl.
 */
describe('DaemonSet controller (controller-manager and scheduler processes, real kubectl)', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let edge: FakeNodes;
  let plain: FakeNodes;
  let kubectl: Kubectl;
  const processes: LocalProcess[] = [];

  /** Node name of each live (not terminating) pod of `name`, sorted. */
  const placement = async (name: string) =>
    (await client.list<Pod>(PODS, 'default', { labelSelector: `app=${name}` })).items
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => p.spec.nodeName ?? '<unbound>')
      .sort();
  const waitForPlacement = (name: string, nodes: string[]) =>
    pollUntil(
      async () => JSON.stringify(await placement(name)) === JSON.stringify(nodes),
      30_000,
      `${name} on ${nodes.join(', ')}`,
    ).catch(async (e: Error) => {
      const pods = (await client.list<Pod>(PODS, 'default', { labelSelector: `app=${name}` })).items.map(
        (p) => [
          p.metadata.name,
          p.spec.nodeName,
          p.status?.phase,
          p.metadata.deletionTimestamp,
          p.metadata.labels,
        ],
      );
      const ds = await client.tryGet<DaemonSet>(DAEMONSETS, 'default', name);
      throw new Error(`${e.message}; pods: ${JSON.stringify(pods)}; status: ${JSON.stringify(ds?.status)}`);
    });

  before(async () => {
    cp = await TestControlPlane.start({
      defaulting: {
        notReadyTolerationSeconds: fast.defaultTolerationSeconds,
        unreachableTolerationSeconds: fast.defaultTolerationSeconds,
      },
    });
    client = adminClient(cp);
    kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    edge = await FakeNodes.register(client, ['node-1', 'node-2'], { labels: { tier: 'edge' } });
    plain = await FakeNodes.register(client, ['node-3']);
    edge.runPods = true;
    plain.runPods = true;
    processes.push(await startComponent(cp, 'scheduler', 'sched'));
    processes.push(await startComponent(cp, 'controller-manager', 'cm'));
  });
  after(async () => {
    for (const p of processes) await p.stop();
    await edge?.stop();
    await plain?.stop();
    await client?.close();
    await cp?.stop();
  });

  it('runs one pod per node, or per node its nodeSelector picks; kubectl shows the columns and rollout status', async () => {
    await kubectl.ok(['apply', '-f', '-'], manifest('agent'));
    await kubectl.ok(['apply', '-f', '-'], manifest('edge', ['nodeSelector: { tier: edge }']));
    await waitForPlacement('agent', ['node-1', 'node-2', 'node-3']);
    await waitForPlacement('edge', ['node-1', 'node-2']);
    expect(await kubectl.ok(['rollout', 'status', 'daemonset/agent', '--timeout=20s'])).to.contain(
      'daemon set "agent" successfully rolled out',
    );
    await pollUntil(
      async () => (await client.get<DaemonSet>(DAEMONSETS, 'default', 'edge')).status?.numberAvailable === 2,
      10_000,
      'edge available',
    );
    const table = await kubectl.ok(['get', 'daemonsets']);
    expect(table).to.match(
      /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE/,
    );
    expect(table).to.match(/^edge\s+2\s+2\s+2\s+2\s+2\s+tier=edge\s+/m);
    const described = await kubectl.ok(['describe', 'ds', 'agent']);
    expect(described).to.match(/Desired Number of Nodes Scheduled: 3/);
    expect(described).to.match(/Pods Status:\s+3 Running/);
    const pod = (await client.list<Pod>(PODS, 'default', { labelSelector: 'app=agent' })).items[0]!;
    expect(pod.spec.tolerations?.map((t) => t.key)).to.include('node.kubernetes.io/unreachable');
    expect(
      pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]
        ?.matchFields?.[0],
    ).to.deep.equal({ key: 'metadata.name', operator: 'In', values: [pod.spec.nodeName] });
  });

  it('follows node labels and NoExecute taints, and keeps its pod on a NoSchedule-tainted node', async () => {
    await kubectl.ok(['label', 'node', 'node-3', 'tier=edge']);
    await waitForPlacement('edge', ['node-1', 'node-2', 'node-3']);
    await kubectl.ok(['label', 'node', 'node-3', 'tier-']);
    await waitForPlacement('edge', ['node-1', 'node-2']);
    await kubectl.ok(['taint', 'node', 'node-2', 'dedicated=db:NoExecute']);
    await waitForPlacement('agent', ['node-1', 'node-3']);
    await kubectl.ok(['taint', 'node', 'node-2', 'dedicated=db:NoExecute-']);
    await waitForPlacement('agent', ['node-1', 'node-2', 'node-3']);
    await kubectl.ok(['taint', 'node', 'node-1', 'dedicated=db:NoSchedule']);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await placement('agent')).to.deep.equal(['node-1', 'node-2', 'node-3']);
    await kubectl.ok(['taint', 'node', 'node-1', 'dedicated=db:NoSchedule-']);
  });

  it('adds a pod when a node joins, and its pod goes with the node', async () => {
    const joined = await FakeNodes.register(client, ['node-4']);
    joined.runPods = true;
    try {
      await waitForPlacement('agent', ['node-1', 'node-2', 'node-3', 'node-4']);
    } finally {
      await joined.stop();
    }
    await kubectl.ok(['delete', 'node', 'node-4']);
    await waitForPlacement('agent', ['node-1', 'node-2', 'node-3']);
    await pollUntil(
      async () =>
        (await client.get<DaemonSet>(DAEMONSETS, 'default', 'agent')).status?.desiredNumberScheduled === 3,
      20_000,
      'desired back to 3',
    );
  });

  it('rolls a new template out with at most maxUnavailable pods down, then reports it rolled out', async () => {
    // Start from a settled set: every pod available.
    await pollUntil(
      async () => (await client.get<DaemonSet>(DAEMONSETS, 'default', 'agent')).status?.numberAvailable === 3,
      20_000,
      'agent available on 3 nodes',
    );
    const before = new Set(
      (await client.list<Pod>(PODS, 'default', { labelSelector: 'app=agent' })).items.map(
        (p) => p.metadata.uid,
      ),
    );
    await kubectl.ok([
      'patch',
      'ds',
      'agent',
      '-p',
      '{"spec":{"template":{"metadata":{"annotations":{"v":"2"}}}}}',
    ]);
    // maxUnavailable 1: at no moment do two nodes lack a live pod (readiness is the FakeNodes'
    // to report, and can flap when a loaded machine delays their leases, so it is not what counts).
    let worstMissing = 0;
    const watch = setInterval(() => {
      void client.list<Pod>(PODS, 'default', { labelSelector: 'app=agent' }).then((list) => {
        const covered = new Set(
          list.items
            .filter((p) => !p.metadata.deletionTimestamp && p.spec.nodeName)
            .map((p) => p.spec.nodeName),
        );
        worstMissing = Math.max(worstMissing, 3 - covered.size);
      });
    }, 50);
    try {
      expect(await kubectl.ok(['rollout', 'status', 'daemonset/agent', '--timeout=60s'])).to.contain(
        'daemon set "agent" successfully rolled out',
      );
    } finally {
      clearInterval(watch);
    }
    const after = (await client.list<Pod>(PODS, 'default', { labelSelector: 'app=agent' })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
    expect(after).to.have.length(3);
    expect(
      after
        .filter((p) => before.has(p.metadata.uid))
        .map((p) => [p.metadata.name, p.spec.nodeName, p.status]),
    ).to.deep.equal([]);
    expect(worstMissing).to.be.at.most(1);
  });

  it('keeps its pod on an unreachable node (daemon pods tolerate it)', async () => {
    plain.stopRenewing('node-3');
    try {
      await pollUntil(
        async () =>
          (await kubectl.ok(['get', 'node', 'node-3', '-o', 'jsonpath={.spec.taints}'])).includes(
            'unreachable',
          ),
        30_000,
        'node-3 tainted unreachable',
      );
      await new Promise((r) => setTimeout(r, 2 * fast.defaultTolerationSeconds * 1000 + 1000));
      expect(await placement('agent')).to.deep.equal(['node-1', 'node-2', 'node-3']);
    } finally {
      plain.resumeRenewing('node-3');
    }
  });

  it('refuses maxSurge rather than ignoring it, and deletes its pods with the set', async () => {
    const surge = await kubectl.run(['apply', '-f', '-'], {
      input: manifest('surge').replace(
        'spec:\n  selector',
        'spec:\n  updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }\n  selector',
      ),
    });
    expect(surge.stderr).to.contain(
      'spec.updateStrategy.rollingUpdate.maxSurge: Forbidden: maxSurge is not supported',
    );
    expect(await kubectl.ok(['delete', 'daemonset', 'edge'])).to.contain('daemonset.apps "edge" deleted');
    await waitForPlacement('edge', []);
  });
});
