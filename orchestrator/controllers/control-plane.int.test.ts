import { expect } from 'chai';
import type { LocalProcess } from '../../harness/cluster/local-process.js';
import { startComponent } from '../../testing/component-process.js';
import { adminClient } from '../../testing/controller-context.js';
import { FakeNodes } from '../../testing/fake-nodes.js';
import { TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { isPodActive } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import { TIMING_PROFILES } from '../api/timing-profile.js';
import type { Deployment, Endpoints, Lease, Node, Pod, ReplicaSet, Service } from '../api/types.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const RS = findResource('apps', 'v1', 'replicasets')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const fast = TIMING_PROFILES.fast;

function replicaSet(name: string, replicas: number, namespace = 'default'): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'crucible/echo', ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

describe('scheduler and controller-manager processes over a real apiserver', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let nodes: FakeNodes;
  const processes: LocalProcess[] = [];

  const activePods = async (app: string) =>
    (await client.list<Pod>(PODS, 'default', { labelSelector: `app=${app}` })).items.filter(isPodActive);

  /** Changes the pod template and waits until the Deployment reports that generation rolled out. */
  const rollOut = async (name: string, replicas: number) => {
    const patched = await client.patch<Deployment>(DEPLOYMENTS, 'default', name, {
      spec: { template: { metadata: { annotations: { rollout: String(Date.now()) } } } },
    });
    await pollUntil(
      async () => {
        const s = (await client.get<Deployment>(DEPLOYMENTS, 'default', name)).status;
        return (
          (s?.observedGeneration ?? 0) >= patched.metadata.generation! &&
          s?.updatedReplicas === replicas &&
          s.availableReplicas === replicas &&
          s.replicas === replicas
        );
      },
      30_000,
      `${name} rolled out`,
    );
  };

  before(async () => {
    cp = await TestControlPlane.start({
      defaulting: {
        notReadyTolerationSeconds: fast.defaultTolerationSeconds,
        unreachableTolerationSeconds: fast.defaultTolerationSeconds,
      },
    });
    client = adminClient(cp);
    nodes = await FakeNodes.register(client, ['node-1', 'node-2', 'node-3']);
    nodes.runPods = true;
  });
  after(async () => {
    for (const p of processes) await p.stop();
    await nodes?.stop();
    await client?.close();
    await cp?.stop();
  });

  it('binds the pods of a Deployment of 10, spread over 3 nodes, and scales it up and down', async () => {
    processes.push(await startComponent(cp, 'scheduler', 'sched-a'));
    processes.push(await startComponent(cp, 'controller-manager', 'cm-a'));
    await client.create(DEPLOYMENTS, { ...replicaSet('web', 10), kind: 'Deployment' } as Deployment);
    const bound = async () => (await activePods('web')).filter((p) => p.spec.nodeName);
    await pollUntil(async () => (await bound()).length === 10, 20_000, '10 bound pods');
    const perNode = new Map<string, number>();
    for (const p of await bound()) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    expect([...perNode.keys()].sort()).to.deep.equal(['node-1', 'node-2', 'node-3']);
    expect(Math.max(...perNode.values()) - Math.min(...perNode.values())).to.be.at.most(1);
    await client.patch(DEPLOYMENTS, 'default', 'web', { spec: { replicas: 14 } });
    await pollUntil(async () => (await bound()).length === 14, 20_000, '14 bound pods');
    await client.patch(DEPLOYMENTS, 'default', 'web', { spec: { replicas: 10 } });
    await pollUntil(async () => (await activePods('web')).length === 10, 20_000, 'back to 10');
    const available = async () =>
      (await client.get<Deployment>(DEPLOYMENTS, 'default', 'web')).status?.availableReplicas;
    await pollUntil(async () => (await available()) === 10, 20_000, '10 available');
  });

  it('rolls out a new template with maxUnavailable 0 without ever dropping below the desired ready count', async () => {
    const readyPods = async () =>
      (await activePods('web')).filter((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
    await client.patch(DEPLOYMENTS, 'default', 'web', {
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 2 } } },
    });
    let minimum = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        minimum = Math.min(minimum, await readyPods());
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await rollOut('web', 10);
    sampling = false;
    await sampler;
    expect(minimum, 'fewest ready pods seen during the rollout').to.be.at.least(10);
  });

  it('never runs old and new pods together in a Recreate rollout', async () => {
    await client.create(DEPLOYMENTS, {
      ...replicaSet('recreate', 4),
      kind: 'Deployment',
      spec: { ...replicaSet('recreate', 4).spec, strategy: { type: 'Recreate' } },
    } as Deployment);
    await pollUntil(async () => (await activePods('recreate')).length === 4, 20_000, '4 pods');
    const hashes = async () =>
      new Set((await activePods('recreate')).map((p) => p.metadata.labels?.['pod-template-hash']));
    let overlap = false;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        if ((await hashes()).size > 1) overlap = true;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await rollOut('recreate', 4);
    sampling = false;
    await sampler;
    expect(overlap, 'old and new pods active at once').to.equal(false);
  });

  it('leaves a pod that fits nowhere Pending with the reason, and schedules it once room appears', async () => {
    await client.create(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'huge', namespace: 'default' },
      spec: {
        containers: [{ name: 'c', image: 'crucible/sleeper', resources: { requests: { cpu: '64' } } }],
      },
    });
    await pollUntil(
      async () =>
        (await client.get<Pod>(PODS, 'default', 'huge')).status?.conditions?.some(
          (c) => c.type === 'PodScheduled' && c.status === 'False',
        ) ?? false,
      10_000,
      'unschedulable condition',
    );
    const pod = await client.get<Pod>(PODS, 'default', 'huge');
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message).to.equal(
      '0/3 nodes are available: 3 Insufficient cpu.',
    );
    await client.create(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'big' },
      status: {
        allocatable: { cpu: '128', memory: '64Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    } as Node);
    await pollUntil(
      async () => (await client.get<Pod>(PODS, 'default', 'huge')).spec.nodeName === 'big',
      10_000,
      'scheduled on the big node',
    );
    await client.delete(PODS, 'default', 'huge', { gracePeriodSeconds: 0 });
    await client.delete(NODES, '', 'big');
  });

  it('takes a silent node out of endpoints at once, evicts its pods and replaces them within grace + toleration + 1 s', async () => {
    await client.create(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    } as Service);
    const ready = async () =>
      ((await client.tryGet<Endpoints>(ENDPOINTS, 'default', 'web'))?.subsets ?? []).flatMap(
        (s) => s.addresses ?? [],
      );
    await pollUntil(async () => (await ready()).length === 10, 10_000, '10 ready endpoints');
    const victims = (await activePods('web'))
      .filter((p) => p.spec.nodeName === 'node-3')
      .map((p) => p.metadata.name);
    expect(victims.length).to.be.greaterThan(0);

    const silentAt = Date.now();
    nodes.stopRenewing('node-3');
    await pollUntil(
      async () => (await ready()).every((a) => a.nodeName !== 'node-3'),
      10_000,
      'node-3 pods out of endpoints',
    );
    const outOfEndpoints = Date.now() - silentAt;
    await pollUntil(
      async () => {
        const pods = await activePods('web');
        return pods.length === 10 && pods.every((p) => p.spec.nodeName && p.spec.nodeName !== 'node-3');
      },
      15_000,
      'replacements bound elsewhere',
    );
    const replaced = Date.now() - silentAt;
    const budget = fast.nodeMonitorGracePeriodMs + fast.defaultTolerationSeconds * 1000 + 1000;
    console.log(
      `      silent node: out of endpoints after ${outOfEndpoints} ms, replaced after ${replaced} ms (budget ${budget} ms)`,
    );
    expect(outOfEndpoints).to.be.at.most(fast.nodeMonitorGracePeriodMs + 1000);
    expect(replaced).to.be.at.most(budget);
    const node = await client.get<Node>(NODES, '', 'node-3');
    expect(node.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).to.include(
      'node.kubernetes.io/unreachable:NoExecute',
    );
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('Unknown');

    nodes.resumeRenewing('node-3');
    await pollUntil(
      async () => !(await client.get<Node>(NODES, '', 'node-3')).spec?.taints?.length,
      10_000,
      'taints removed',
    );
  });

  it('never creates more pods than desired when the controller-manager is killed mid scale-up, again and again', async () => {
    await client.create(RS, replicaSet('burst', 0));
    await client.patch(RS, 'default', 'burst', { spec: { replicas: 60 } });
    for (let round = 0; round < 4; round++) {
      await new Promise((r) => setTimeout(r, 150 + round * 100));
      const cm = processes.find((p) => p.spec.name.startsWith('controller-manager'))!;
      await cm.kill();
      processes.splice(processes.indexOf(cm), 1);
      processes.push(await startComponent(cp, 'controller-manager', `cm-${round}`));
    }
    await pollUntil(async () => (await activePods('burst')).length === 60, 30_000, '60 pods');
    await new Promise((r) => setTimeout(r, 1500));
    const pods = (await client.list<Pod>(PODS, 'default', { labelSelector: 'app=burst' })).items;
    expect(pods.length, 'pods present').to.equal(60);
    // An extra pod would have been deleted again by a later controller-manager: none was.
    const events = (
      await client.list<any>(findResource('', 'v1', 'events')!, 'default', {
        fieldSelector: 'involvedObject.name=burst',
      })
    ).items;
    expect(events.filter((e) => e.reason === 'SuccessfulDelete')).to.deep.equal([]);
  });

  it('runs exactly one active scheduler and controller-manager of two, and fails over when the leader dies', async () => {
    processes.push(await startComponent(cp, 'scheduler', 'sched-b'));
    processes.push(await startComponent(cp, 'controller-manager', 'cm-b'));
    const holder = async (name: string) =>
      (await client.get<Lease>(LEASES, 'kube-system', name)).spec?.holderIdentity;
    await pollUntil(
      async () => Boolean(await holder('kube-scheduler')) && Boolean(await holder('kube-controller-manager')),
      10_000,
      'leases held',
    );
    const results: string[] = [];
    for (const lock of ['kube-scheduler', 'kube-controller-manager']) {
      const leader = (await holder(lock))!;
      const proc = processes.find((p) => p.spec.name.endsWith(leader))!;
      const standby = processes.find(
        (p) =>
          p !== proc &&
          p.spec.name.startsWith(lock === 'kube-scheduler' ? 'scheduler' : 'controller-manager'),
      )!;
      expect(standby.printed, 'the standby never led').to.not.include('became leader');
      const killedAt = Date.now();
      await proc.kill();
      processes.splice(processes.indexOf(proc), 1);
      await pollUntil(
        async () => {
          const h = await holder(lock);
          return Boolean(h) && h !== leader;
        },
        10_000,
        `${lock} taken over`,
      );
      const took = Date.now() - killedAt;
      results.push(`${lock} ${took} ms`);
      expect(took).to.be.at.most(
        fast.leaderElection.leaseDurationMs + fast.leaderElection.retryPeriodMs + 500,
      );
    }
    console.log(
      `      failover: ${results.join(', ')} (bound: lease ${fast.leaderElection.leaseDurationMs} ms + retry ${fast.leaderElection.retryPeriodMs} ms)`,
    );
    // The survivors act: a new ReplicaSet is filled and scheduled.
    await client.create(RS, replicaSet('after-failover', 3));
    await pollUntil(
      async () => (await activePods('after-failover')).filter((p) => p.spec.nodeName).length === 3,
      15_000,
      'survivors act',
    );
  });
});
