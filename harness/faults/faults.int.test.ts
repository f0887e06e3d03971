import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Toxiproxy } from 'toxiproxy-node-client';
import { Agent, request } from 'undici';
import { ApiClient } from '../../orchestrator/api/client/index.js';
import { ApiError } from '../../orchestrator/api/errors.js';
import { findResource } from '../../orchestrator/api/resources.js';
import type { ConfigMap, Lease, Node } from '../../orchestrator/api/types.js';
import { Kubectl } from '../../testing/kubectl.js';
import { CRUCIBLE_CLI } from '../../testing/crucible-cli.js';
import { pollUntil } from '../support/poll-until.js';
import {
  type RunningCluster,
  adminClient,
  defaultClusterSpec,
  dockerEngineAnswers,
  DockerProvider,
  labelledProcesses,
  parseClusterSpec,
  ProcessProvider,
} from '../cluster/index.js';
import { etcdLeaderOf } from './etcd-leader.js';
import { FaultInjector } from './fault-injector.js';
import { dockerClient, seededRandom } from '../support/index.js';

const ECHO = fileURLToPath(new URL('../../scenarios/manifests/echo.yaml', import.meta.url));

/** The node's Ready condition as the API says. */
async function readyCondition(client: ApiClient, node: string): Promise<string | undefined> {
  return (await client.get<Node>(findResource('', 'v1', 'nodes')!, '', node)).status?.conditions?.find(
    (c) => c.type === 'Ready',
  )?.status;
}

/** Whether the kubelet's read-only server at a worker's host address answers. */
async function kubeletAnswers(ip: string): Promise<boolean> {
  const res = await request(`http://${ip}:10250/healthz`, { reset: true, headersTimeout: 1000 }).catch(
    () => undefined,
  );
  await res?.body.dump();
  return res?.statusCode === 200;
}

describe('faults on a docker cluster: each shows its effect, and heal undoes it', function () {
  this.timeout(120_000);
  const provider = new DockerProvider();
  const name = `f${process.pid}`;
  let home: string;
  let cluster: RunningCluster;
  let state: RunningCluster['record'];
  let client: ApiClient;
  let injector: FaultInjector;
  let agent: Agent;

  before(async function () {
    if (!(await dockerEngineAnswers())) this.skip();
    this.timeout(240_000);
    home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
    process.env.CRUCIBLE_HOME = home;
    const spec = parseClusterSpec(
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Cluster',
        `name: ${name}`,
        'etcd: {members: 3}',
        'controlPlane: {apiservers: 1, schedulers: 2, controllerManagers: 1}',
        'workers: [{count: 2}]',
      ].join('\n'),
      'faults.yaml',
    );
    cluster = await provider.create(spec, () => undefined);
    state = cluster.record;
    const caPem = cluster.credentials.caPem;
    agent = new Agent({ connect: { ca: caPem } });
    client = adminClient(cluster);
    injector = new FaultInjector({ cluster, random: seededRandom(7) });
    await Kubectl.withKubeconfig(cluster.credentials.kubeconfig).ok([
      'apply',
      '--validate=false',
      '-f',
      ECHO,
    ]);
    for (const w of state.workers) await pollUntil(() => echoAnswers(w.ip), 60_000, `echo through ${w.ip}`);
  });
  after(async () => {
    if (!state) return;
    await injector.healAll().catch(() => undefined);
    await client.close();
    await agent.close();
    await provider.delete(name);
    delete process.env.CRUCIBLE_HOME;
    await rm(home, { recursive: true, force: true });
  });

  // Whatever a test did or failed to do, the next one starts from a whole, steady cluster.
  afterEach(async function () {
    this.timeout(90_000);
    await injector.healAll();
    await pollUntil(apiAnswers, 30_000, 'API answers');
    for (const w of state.workers) {
      await pollUntil(
        async () => (await nodeReady(w.name).catch(() => undefined)) === 'True',
        30_000,
        `${w.name} Ready`,
      );
      await pollUntil(() => echoAnswers(w.ip), 30_000, `echo through ${w.name}`);
    }
  });

  const echoAnswers = async (ip: string) => {
    const res = await request(`http://${ip}:30080/`, {
      reset: true,
      headersTimeout: 1000,
      bodyTimeout: 1000,
    }).catch(() => undefined);
    await res?.body.dump().catch(() => undefined);
    return res?.statusCode === 200;
  };
  const apiAnswers = async () => {
    const res = await request(`${state.apiservers[0]}/readyz`, {
      dispatcher: agent,
      headersTimeout: 1000,
    }).catch(() => undefined);
    await res?.body.dump().catch(() => undefined);
    return res?.statusCode === 200;
  };
  const nodeReady = (node: string) => readyCondition(client, node);
  const inspect = async (node: string) =>
    (await dockerClient()).getContainer(state.handles[node]!.containerId!).inspect();

  it('node-loss: the container is gone and the node NotReady after the grace period; heal brings it back Ready', async () => {
    const fault = await injector.inject('node-loss', 'worker-2');
    expect((await inspect('worker-2')).State.Running).to.equal(false);
    await pollUntil(async () => (await nodeReady('worker-2')) === 'Unknown', 15_000, 'worker-2 NotReady');
    expect(await echoAnswers(state.workers[0]!.ip), 'the other worker serves').to.equal(true);
    await injector.heal(fault);
    await pollUntil(async () => (await nodeReady('worker-2')) === 'True', 30_000, 'worker-2 Ready again');
  });

  it('node-pause: the container is frozen; heal thaws it', async () => {
    const fault = await injector.inject('node-pause', 'worker-1');
    expect((await inspect('worker-1')).State.Paused).to.equal(true);
    await injector.heal(fault);
    expect((await inspect('worker-1')).State.Paused).to.equal(false);
    await pollUntil(() => echoAnswers(state.workers[0]!.ip), 15_000, 'worker-1 serves again');
  });

  it('node-partition: the worker’s lease stops but its pods still serve through its kube-proxy', async () => {
    const fault = await injector.inject('node-partition', 'worker-1');
    await pollUntil(async () => (await nodeReady('worker-1')) === 'Unknown', 15_000, 'worker-1 NotReady');
    expect(await echoAnswers(state.workers[0]!.ip), 'worker-1 still serves').to.equal(true);
    await injector.heal(fault);
    await pollUntil(async () => (await nodeReady('worker-1')) === 'True', 30_000, 'worker-1 Ready again');
  });

  it('control-plane-outage: the API is unreachable while the workloads answer; heal brings the API back', async () => {
    const fault = await injector.inject('control-plane-outage', 'all');
    expect(fault.targets).to.include.members([
      'etcd-0',
      'apiserver-0',
      'scheduler-1',
      'controller-manager-0',
    ]);
    expect(await apiAnswers()).to.equal(false);
    for (const w of state.workers) expect(await echoAnswers(w.ip), `${w.name} serves`).to.equal(true);
    await injector.heal(fault);
    await pollUntil(apiAnswers, 30_000, 'API back');
  });

  it('etcd-quorum-loss: writes fail while the data plane answers; heal restores writes', async () => {
    const configmaps = findResource('', 'v1', 'configmaps')!;
    const write = (n: string) =>
      client
        .create<ConfigMap>(configmaps, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: n, namespace: 'default' },
        })
        .then(
          () => true,
          () => false,
        );
    await pollUntil(() => write(`before-${Date.now()}`), 30_000, 'a write before the fault');
    const fault = await injector.inject('etcd-quorum-loss', 'majority');
    expect(fault.targets).to.have.length(2);
    expect(await write('during')).to.equal(false);
    expect(await echoAnswers(state.workers[0]!.ip)).to.equal(true);
    await injector.heal(fault);
    await pollUntil(() => write(`after-${Date.now()}`), 30_000, 'writes again');
  });

  it('link-latency: reads through the apiserver → etcd links slow down by the latency, and heal removes it', async () => {
    const configmaps = findResource('', 'v1', 'configmaps')!;
    const timeRead = async () => {
      const started = performance.now();
      await client.list<ConfigMap>(configmaps, 'default');
      return performance.now() - started;
    };
    await pollUntil(
      () =>
        timeRead().then(
          () => true,
          () => false,
        ),
      30_000,
      'API answers',
    );
    const before = Math.min(await timeRead(), await timeRead(), await timeRead());
    const fault = await injector.inject('link-latency', 'apiserver-0', { latencyMs: 300 });
    expect(fault.targets).to.deep.equal([
      'apiserver-0-to-etcd-0',
      'apiserver-0-to-etcd-1',
      'apiserver-0-to-etcd-2',
    ]);
    const during = Math.min(await timeRead(), await timeRead(), await timeRead());
    expect(during - before, `read took ${during.toFixed(0)} ms, ${before.toFixed(0)} ms before`).to.be.within(
      280,
      1000,
    );
    await injector.heal(fault);
    const proxies = await new Toxiproxy(state.toxiproxy).getAll();
    for (const p of Object.values(proxies)) expect((await p.toJson()).toxics ?? [], p.name).to.deep.equal([]);
  });

  it('component-kill of the scheduler leader: the lease moves to the other scheduler', async () => {
    const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
    const holder = async () =>
      (await client.get<Lease>(leases, 'kube-system', 'kube-scheduler').catch(() => undefined))?.spec
        ?.holderIdentity;
    await pollUntil(async () => (await holder()) !== undefined, 30_000, 'a scheduler leader');
    const leader = (await holder())!;
    const fault = await injector.inject('component-kill', 'leader', { component: 'scheduler' });
    expect(fault.targets).to.deep.equal([leader]);
    await pollUntil(
      async () => ![leader, undefined].includes(await holder()),
      15_000,
      'the other scheduler leads',
    );
    await injector.heal(fault);
    expect((await inspect(leader)).State.Running).to.equal(true);
  });

  it('component-kill of the etcd leader: the member Raft made leader goes, another leads and writes go on; heal starts it again', async () => {
    /** Whether the member's own log says last that it became leader, not follower or candidate. */
    const saysLeader = async (member: string) => {
      const roles =
        (await cluster.logs(member)).match(/became (leader|follower|candidate|pre-candidate)/g) ?? [];
      return roles.at(-1) === 'became leader';
    };
    const fault = await injector.inject('component-kill', 'leader', { component: 'etcd' });
    const [leader] = fault.targets;
    expect(leader).to.match(/^etcd-[0-2]$/);
    expect(await saysLeader(leader!), `${leader}'s log`).to.equal(true);
    expect((await inspect(leader!)).State.Running).to.equal(false);
    await pollUntil(
      async () => {
        const next = await etcdLeaderOf(cluster).catch(() => undefined);
        return next !== undefined && next !== leader && (await saysLeader(next));
      },
      20_000,
      'another etcd member leads',
    );
    await client.create(findResource('', 'v1', 'configmaps')!, {
      metadata: { name: 'after-etcd-leader-kill', namespace: 'default' },
    } as ConfigMap);
    await injector.heal(fault);
    expect((await inspect(leader!)).State.Running).to.equal(true);
  });

  it('component-kill of a kubelet: its read-only port stops answering; heal starts it in the same container', async () => {
    const kubelet = () => kubeletAnswers(state.workers[1]!.ip);
    const fault = await injector.inject('component-kill', 'worker-2-kubelet', { component: 'kubelet' });
    await pollUntil(async () => !(await kubelet()), 10_000, 'kubelet gone');
    expect((await inspect('worker-2')).State.Running, 'the node itself runs on').to.equal(true);
    await injector.heal(fault);
    await pollUntil(kubelet, 15_000, 'kubelet back');
  });

  it('packet-loss with probability 1 and network-partition: iptables rules in the namespace, none left after heal', async () => {
    const rules = (node: string) =>
      execFileSync('nsenter', ['-t', String(stateOf(node)), '-n', 'iptables-save'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`crucible:${name}`));
    const pids: Record<string, number> = {};
    const stateOf = (node: string) => pids[node]!;
    for (const n of ['worker-1', 'worker-2']) pids[n] = (await inspect(n)).State.Pid;
    const loss = await injector.inject('packet-loss', 'worker-1', { probability: 1 });
    expect(rules('worker-1')).to.have.length(1);
    expect(await echoAnswers(state.workers[0]!.ip), 'nothing reaches worker-1').to.equal(false);
    await injector.heal(loss);
    expect(rules('worker-1')).to.deep.equal([]);
    await pollUntil(() => echoAnswers(state.workers[0]!.ip), 10_000, 'worker-1 answers again');
    const partition = await injector.inject('network-partition', 'worker-2', { from: ['toxiproxy'] });
    expect(rules('worker-2')).to.have.length(2);
    await pollUntil(
      async () => (await nodeReady('worker-2')) === 'Unknown',
      15_000,
      'worker-2 cut from the control plane',
    );
    await injector.heal(partition);
    expect(rules('worker-2')).to.deep.equal([]);
    await pollUntil(async () => (await nodeReady('worker-2')) === 'True', 30_000, 'worker-2 Ready again');
  });

  it('component-stop of the apiserver: the API is down until heal starts it again', async () => {
    const fault = await injector.inject('component-stop', 'apiserver-0', { component: 'apiserver' });
    expect((await inspect('apiserver-0')).State.Running).to.equal(false);
    expect(await apiAnswers()).to.equal(false);
    await injector.heal(fault);
    await pollUntil(apiAnswers, 30_000, 'API back');
  });

  it('component-restart of the controller-manager: a new process in the same container, running after inject', async () => {
    const before = (await inspect('controller-manager-0')).State.StartedAt;
    await injector.heal(
      await injector.inject('component-restart', 'controller-manager-0', { component: 'controller-manager' }),
    );
    const after = (await inspect('controller-manager-0')).State;
    expect(after.Running).to.equal(true);
    expect(after.StartedAt).to.not.equal(before);
  });

  it('node-partition from everything: the worker leaves the network and comes back at its address', async () => {
    const fault = await injector.inject('node-partition', 'worker-2', { from: 'everything' });
    expect(Object.keys((await inspect('worker-2')).NetworkSettings.Networks)).to.deep.equal([]);
    await pollUntil(async () => (await nodeReady('worker-2')) === 'Unknown', 15_000, 'worker-2 NotReady');
    await injector.heal(fault);
    const networks = (await inspect('worker-2')).NetworkSettings.Networks;
    expect(networks[state.network!.name]?.IPAddress).to.equal(state.handles['worker-2']!.ip);
    await pollUntil(async () => (await nodeReady('worker-2')) === 'True', 30_000, 'worker-2 Ready again');
  });

  it('link-down on a worker’s link: its lease stops; heal enables the link', async () => {
    const fault = await injector.inject('link-down', 'worker-1');
    expect(fault.targets).to.deep.equal(['worker-1-to-apiserver-0']);
    await pollUntil(async () => (await nodeReady('worker-1')) === 'Unknown', 15_000, 'worker-1 NotReady');
    await injector.heal(fault);
    await pollUntil(async () => (await nodeReady('worker-1')) === 'True', 30_000, 'worker-1 Ready again');
  });

  describe('toxics on the apiserver’s links to etcd', () => {
    const pods = findResource('', 'v1', 'pods')!;
    const timedList = async (timeoutMs: number, resource = pods, namespace = '') => {
      const started = performance.now();
      const ok = await Promise.race([
        client.list(resource, namespace).then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
      ]);
      return { ok, ms: performance.now() - started };
    };

    it('link-timeout 0: reads hang; heal lets them through', async () => {
      const fault = await injector.inject('link-timeout', 'apiserver-0', { timeoutMs: 0 });
      expect((await timedList(1500)).ok).to.equal(false);
      await injector.heal(fault);
      await pollUntil(async () => (await timedList(3000)).ok, 15_000, 'reads again');
    });

    it('link-reset: reads fail fast with the connections reset; heal lets them through', async () => {
      const fault = await injector.inject('link-reset', 'apiserver-0', { timeoutMs: 0 });
      const during = await timedList(5000);
      expect(during.ok).to.equal(false);
      await injector.heal(fault);
      await pollUntil(async () => (await timedList(3000)).ok, 15_000, 'reads again');
    });

    it('link-bandwidth: a small read still passes, a large one cannot within the apiserver’s etcd deadline', async () => {
      const namespaces = findResource('', 'v1', 'namespaces')!;
      const configMaps = findResource('', 'v1', 'configmaps')!;
      // 600 KB of ConfigMaps: at 64 KB/s their list takes about 9 s, far past the 2 s deadline. The
      // rate stays well above what the running cluster sends over the link anyway (Lease writes
      // and their watch events, a few KB/s): at 1 KB/s that traffic alone filled the link and the
      // small read queued behind it past its deadline (seen once in CI).
      for (let i = 0; i < 6; i++) {
        await client.create(configMaps, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `bandwidth-bulk-${i}`, namespace: 'default' },
          data: { blob: 'x'.repeat(100_000) },
        } as ConfigMap);
      }
      const fault = await injector.inject('link-bandwidth', 'apiserver-0', { rateKBps: 64 });
      const small = await client.get(namespaces, '', 'default').then(
        () => true,
        () => false,
      );
      // One attempt, so the read fails on the apiserver's 2 s etcd deadline and nothing of it is
      // left running: with the client's three retries it took 8.5 s here and could outlast the
      // wait, running on into the heal (the read after the heal failed once in CI).
      const once = new ApiClient({
        servers: state.apiservers,
        token: cluster.credentials.adminToken,
        caPem: cluster.credentials.caPem,
        retries: 0,
      });
      const large = await once.list(configMaps, 'default').then(
        () => undefined,
        (e: unknown) => e,
      );
      await once.close();
      await injector.heal(fault);
      expect(small, 'a small read').to.equal(true);
      expect(large, 'the large read fails on the etcd deadline').to.be.instanceOf(ApiError);
      expect((large as ApiError).reason).to.equal('Timeout');
      expect((large as ApiError).message).to.contain('etcd request timed out');
      await pollUntil(
        async () => (await timedList(5000, configMaps, 'default')).ok,
        15_000,
        'large reads again',
      );
    });
  });

  it('a crash in the middle of a fault leaves it in the ledger, and `crucible fault heal` leaves nothing behind', async () => {
    const env = { ...process.env, CRUCIBLE_HOME: home };
    const cli = (args: string[]) =>
      execFileSync(process.execPath, [CRUCIBLE_CLI, ...args], { env, encoding: 'utf8' });
    cli([
      'fault',
      'inject',
      'link-latency',
      '--cluster',
      name,
      '--target',
      'worker-1',
      '--set',
      'latencyMs=100',
    ]);
    cli(['fault', 'inject', 'link-down', '--cluster', name, '--target', 'worker-2-to-apiserver-0']);
    cli([
      'fault',
      'inject',
      'network-partition',
      '--cluster',
      name,
      '--target',
      'worker-2',
      '--set',
      'from=toxiproxy',
    ]);
    const held = spawn(
      process.execPath,
      [
        CRUCIBLE_CLI,
        'fault',
        'inject',
        'node-pause',
        '--cluster',
        name,
        '--target',
        'worker-1',
        '--for',
        '60s',
      ],
      { env },
    );
    await pollUntil(async () => (await inspect('worker-1')).State.Paused, 15_000, 'worker-1 paused');
    held.kill('SIGKILL');
    await new Promise((r) => held.once('exit', r));
    expect(cli(['fault', 'ls', '--cluster', name]).trim().split('\n')).to.have.length(4);
    expect(cli(['fault', 'heal', '--cluster', name])).to.include('healed');
    expect((await inspect('worker-1')).State.Paused).to.equal(false);
    const proxies = Object.values(await new Toxiproxy(state.toxiproxy).getAll());
    for (const p of proxies) {
      const json = p.toJson();
      expect(json.enabled, p.name).to.equal(true);
      expect(json.toxics ?? [], p.name).to.deep.equal([]);
    }
    const pid = (await inspect('worker-2')).State.Pid;
    expect(
      execFileSync('nsenter', ['-t', String(pid), '-n', 'iptables-save'], { encoding: 'utf8' }),
    ).to.not.include('crucible:');
    expect(cli(['fault', 'ls', '--cluster', name])).to.equal('no faults in force\n');
  });

  it('Ctrl-C during `crucible fault inject --for` heals at once', async () => {
    const env = { ...process.env, CRUCIBLE_HOME: home };
    const held = spawn(
      process.execPath,
      [
        CRUCIBLE_CLI,
        'fault',
        'inject',
        'node-pause',
        '--cluster',
        name,
        '--target',
        'worker-2',
        '--for',
        '60s',
      ],
      { env },
    );
    await pollUntil(async () => (await inspect('worker-2')).State.Paused, 15_000, 'worker-2 paused');
    held.kill('SIGINT');
    expect(await new Promise((r) => held.once('exit', r))).to.equal(0);
    expect((await inspect('worker-2')).State.Paused).to.equal(false);
  });
});

describe('faults on a process cluster (where the fault exists there)', function () {
  this.timeout(120_000);
  const provider = new ProcessProvider();
  const name = `fp${process.pid}`;
  let home: string;
  let cluster: RunningCluster;
  let state: RunningCluster['record'];
  let client: ApiClient;
  let injector: FaultInjector;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
    process.env.CRUCIBLE_HOME = home;
    cluster = await provider.create(defaultClusterSpec({ name, workers: 2 }), () => undefined);
    state = cluster.record;
    client = new ApiClient({
      servers: state.apiservers,
      token: cluster.credentials.adminToken,
      caPem: cluster.credentials.caPem,
    });
    injector = new FaultInjector({ cluster, random: seededRandom(3) });
  });
  after(async () => {
    await injector?.healAll().catch(() => undefined);
    await client?.close();
    await provider.delete(name);
    expect(await labelledProcesses(name)).to.deep.equal([]);
    delete process.env.CRUCIBLE_HOME;
    await rm(home, { recursive: true, force: true });
  });

  const nodeReady = async (node: string) =>
    (await client.get<Node>(findResource('', 'v1', 'nodes')!, '', node)).status?.conditions?.find(
      (c) => c.type === 'Ready',
    )?.status;
  const kubeletAnswers = async (ip: string) => {
    const res = await request(`http://${ip}:10250/healthz`, { reset: true, headersTimeout: 1000 }).catch(
      () => undefined,
    );
    await res?.body.dump();
    return res?.statusCode === 200;
  };

  it('node-loss kills the worker’s processes and the node goes NotReady; heal brings it back', async () => {
    const fault = await injector.inject('node-loss', 'worker-1');
    expect(await kubeletAnswers(state.workers[0]!.ip)).to.equal(false);
    await pollUntil(async () => (await nodeReady('worker-1')) === 'Unknown', 15_000, 'worker-1 NotReady');
    await injector.heal(fault);
    await pollUntil(async () => (await nodeReady('worker-1')) === 'True', 30_000, 'worker-1 Ready');
  });

  it('node-pause stops the worker’s processes (SIGSTOP) and heal resumes them', async () => {
    const fault = await injector.inject('node-pause', 'worker-2');
    expect(await kubeletAnswers(state.workers[1]!.ip)).to.equal(false);
    await injector.heal(fault);
    await pollUntil(() => kubeletAnswers(state.workers[1]!.ip), 10_000, 'kubelet answers');
  });

  it('node-partition cuts the worker’s links to the control plane; heal restores them', async () => {
    const fault = await injector.inject('node-partition', 'worker-2');
    await pollUntil(async () => (await nodeReady('worker-2')) === 'Unknown', 15_000, 'worker-2 NotReady');
    expect(await kubeletAnswers(state.workers[1]!.ip), 'the worker itself runs on').to.equal(true);
    await injector.heal(fault);
    await pollUntil(async () => (await nodeReady('worker-2')) === 'True', 30_000, 'worker-2 Ready');
  });

  it('refuses iptables faults with the reason', async () => {
    await injector.inject('packet-loss', 'worker-1', { probability: 0.5 }).then(
      () => expect.fail('packet-loss should be refused on the process provider'),
      (e: Error) =>
        expect(e.message).to.include('the process provider does not have (use the docker provider)'),
    );
  });
});
