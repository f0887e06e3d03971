import { sleep as sleepOn, systemTimers } from '../api/client/timer-scheduler.js';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { LocalProcess, outputContains } from '../../harness/cluster/local-process.js';
import { ORCHESTRATOR_MAIN } from '../../harness/cluster/host-programs.js';
import { adminClient } from '../../testing/controller-context.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import { ApiServer } from '../apiserver/api-server.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { Container, KubeList, Lease, Node, Pod, PodSpec } from '../api/types.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const SECRETS = findResource('', 'v1', 'secrets')!;

/** An HTTP server on PORT that answers /bad with 500, and says so when it gets SIGTERM. */
const SERVER = [
  "const http = require('http');",
  "http.createServer((q, s) => { s.statusCode = q.url === '/bad' ? 500 : 200; s.end('hello ' + process.env.POD_NAME); })",
  '  .listen(+process.env.PORT, process.env.POD_IP, () => console.log("serving on " + process.env.PORT));',
  "process.on('SIGTERM', () => { console.log('got SIGTERM'); setTimeout(() => process.exit(0), 300); });",
].join('\n');

const sleep = (ms: number) => sleepOn(systemTimers, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface RunningKubelet {
  proc: LocalProcess;
  port: number;
  rootDir: string;
}

describe('kubelet (a real process) over a real apiserver', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let rootBase: string;
  let kubelet: RunningKubelet;
  const kubelets: LocalProcess[] = [];
  /** Every workload pid seen, to check that none outlives the suite. */
  const pids = new Set<number>();

  async function startKubelet(
    node: string,
    rootDir = join(rootBase, node),
    extraArgs: string[] = [],
  ): Promise<RunningKubelet> {
    const proc = new LocalProcess({
      name: `kubelet-${node}`,
      command: process.execPath,
      args: [
        ORCHESTRATOR_MAIN,
        'kubelet',
        `--server=${cp.url}`,
        `--token=${TEST_TOKENS.admin}`,
        `--certificate-authority=${cp.caFile}`,
        '--profile=fast',
        `--node-name=${node}`,
        `--root-dir=${rootDir}`,
        '--port=0',
        '--log-level=info',
        ...extraArgs,
      ],
      logFile: join(rootBase, `kubelet-${node}.log`),
      ready: outputContains('"msg":"kubelet started"'),
    });
    kubelets.push(proc);
    await proc.start();
    const line = proc.printed.split('\n').find((l) => l.includes('"msg":"kubelet started"'))!;
    return { proc, port: (JSON.parse(line) as { port: number }).port, rootDir };
  }

  function pod(name: string, node: string, containers: Container[], spec: Partial<PodSpec> = {}): Pod {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { test: 'kubelet' } },
      spec: { nodeName: node, containers, terminationGracePeriodSeconds: 5, ...spec },
    };
  }

  const serverContainer = (extra: Partial<Container> = {}): Container => ({
    name: 'web',
    image: 'node',
    command: ['node', '-e', SERVER],
    ports: [{ name: 'http', containerPort: 8080 }],
    ...extra,
  });

  const get = (name: string) => client.get<Pod>(PODS, 'default', name);

  async function waitForPod(name: string, what: string, check: (p: Pod) => boolean, timeoutMs = 15_000) {
    let last: Pod | undefined;
    await pollUntil(
      async () => {
        last = await client.tryGet<Pod>(PODS, 'default', name);
        return last !== undefined && check(last);
      },
      timeoutMs,
      `${name}: ${what} (last status: ${JSON.stringify(last?.status)})`,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last status: ${JSON.stringify(last?.status)}`);
    });
    return last!;
  }

  const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const pidOf = (p: Pod, container = 'web') => {
    const id = p.status?.containerStatuses?.find((c) => c.name === container)?.containerID;
    const pid = Number(id?.replace('process://', ''));
    if (pid) pids.add(pid);
    return pid;
  };
  const hostPort = (p: Pod) => p.status!.portMappings![0]!.hostPort;

  async function httpGet(port: number, path = '/'): Promise<{ status: number; body: string }> {
    const res = await request(`http://127.0.0.1:${port}${path}`, { method: 'GET' });
    return { status: res.statusCode, body: await res.body.text() };
  }

  /** A container without a readiness probe is Ready once started, which may be before it listens. */
  async function waitServing(port: number): Promise<void> {
    await pollUntil(
      () =>
        httpGet(port).then(
          (r) => r.status === 200,
          () => false,
        ),
      10_000,
      `something answering on ${port}`,
    );
  }

  /** What the kubelet's read-only server lists: a v1 PodList, as the real kubelet's /pods. */
  async function kubeletPods(k: RunningKubelet): Promise<KubeList<Pod>> {
    return (await httpGet(k.port, '/pods').then((r) => JSON.parse(r.body))) as KubeList<Pod>;
  }

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    rootBase = await mkdtemp(join(tmpdir(), 'crucible-kubelet-test-'));
    kubelet = await startKubelet('node-a');
  });

  after(async () => {
    for (const k of kubelets) await k.stop();
    await client?.close();
    await cp?.stop();
    // No workload outlives its kubelet.
    await pollUntil(() => [...pids].every((p) => !alive(p)), 5000, 'every workload process gone');
    if (rootBase) await rm(rootBase, { recursive: true, force: true });
  });

  it('registers its Node, renews its Lease and serves /healthz', async () => {
    let node: Node | undefined;
    await pollUntil(
      async () => {
        node = await client.tryGet<Node>(NODES, '', 'node-a');
        return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      },
      10_000,
      'node-a Ready',
    );
    expect(node!.status!.daemonEndpoints!.kubeletEndpoint!.Port).to.equal(kubelet.port);
    expect(node!.status!.nodeInfo!.kubeletVersion).to.equal('v1.32.0+crucible');
    expect(node!.status!.addresses).to.deep.include({ type: 'InternalIP', address: '127.0.0.1' });
    expect(node!.status!.capacity).to.deep.equal({ cpu: '4', memory: '8Gi', pods: '110' });
    const types = node!.status!.conditions!.map((c) => `${c.type}=${c.status}`);
    expect(types).to.include.members(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False']);
    const lease1 = await client.get<Lease>(LEASES, 'kube-node-lease', 'node-a');
    expect(lease1.spec!.holderIdentity).to.equal('node-a');
    expect(lease1.spec!.renewTime).to.match(/\.\d{6}Z$/);
    await pollUntil(
      async () =>
        (await client.get<Lease>(LEASES, 'kube-node-lease', 'node-a')).spec!.renewTime !==
        lease1.spec!.renewTime,
      10_000,
      'lease renewed',
    );
    expect(await httpGet(kubelet.port, '/healthz')).to.deep.equal({ status: 200, body: 'ok' });
  });

  it('runs a pod: Running, Ready, answering on its host port; readiness flips Ready', async () => {
    await client.create(
      PODS,
      pod('echo', 'node-a', [
        {
          name: 'web',
          image: 'crucible/echo:v1',
          ports: [{ containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
        },
      ]),
    );
    const p = await waitForPod('echo', 'Running and Ready', (x) => x.status?.phase === 'Running' && ready(x));
    const mapping = p.status!.portMappings![0]!;
    expect(mapping).to.include({ containerName: 'web', containerPort: 8080, protocol: 'TCP' });
    expect(p.status!.podIP).to.equal('127.0.0.1');
    expect(p.status!.hostIP).to.equal('127.0.0.1');
    expect(p.status!.startTime).to.be.a('string');
    const cs = p.status!.containerStatuses![0]!;
    expect(cs).to.include({ ready: true, started: true, restartCount: 0, image: 'crucible/echo:v1' });
    expect(cs.state!.running!.startedAt).to.be.a('string');
    const answer = await httpGet(mapping.hostPort, '/');
    expect(answer.status).to.equal(200);
    expect(answer.body).to.include('echo');
    const listed = await kubeletPods(kubelet);
    expect(listed).to.include({ apiVersion: 'v1', kind: 'PodList' });
    const view = listed.items.find((x) => x.metadata.name === 'echo')!;
    expect(view.metadata).to.include({ namespace: 'default', uid: p.metadata.uid });
    expect(view.spec.nodeName).to.equal(p.spec.nodeName);
    const viewed = view.status!.containerStatuses![0]!;
    expect(viewed).to.include({
      name: 'web',
      containerID: `process://${pidOf(p)}`,
      ready: true,
      restartCount: 0,
    });
    expect(viewed.state!.running!.startedAt).to.equal(cs.state!.running!.startedAt);

    const res = await request(`http://127.0.0.1:${mapping.hostPort}/ready?state=false`, { method: 'POST' });
    await res.body.dump();
    const notReady = await waitForPod('echo', 'not Ready', (x) => !ready(x));
    expect(notReady.status!.phase).to.equal('Running');
    expect(pidOf(notReady)).to.equal(pidOf(p));
  });

  it('restarts a killed container (same pod, new pid) and backs off a crash loop', async () => {
    await client.create(PODS, pod('victim', 'node-a', [serverContainer()]));
    const p = await waitForPod('victim', 'Ready', ready);
    const pid = pidOf(p);
    expect(alive(pid)).to.equal(true);
    process.kill(pid, 'SIGKILL');
    const back = await waitForPod('victim', 'restarted', (x) => pidOf(x) !== pid && ready(x));
    const cs = back.status!.containerStatuses![0]!;
    expect(cs.restartCount).to.equal(1);
    expect(cs.lastState!.terminated).to.include({ exitCode: 137, reason: 'Error' });
    expect(hostPort(back)).to.equal(hostPort(p));
    await waitServing(hostPort(back));
    expect((await httpGet(hostPort(back))).body).to.equal('hello victim');

    await client.create(
      PODS,
      pod('crashloop', 'node-a', [{ name: 'web', image: 'x', command: ['node', '-e', 'process.exit(3)'] }]),
    );
    const looping = await waitForPod(
      'crashloop',
      'CrashLoopBackOff',
      (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    const ls = looping.status!.containerStatuses![0]!;
    expect(ls.state!.waiting!.message).to.match(
      /^back-off \S+ restarting failed container=web pod=crashloop_default/,
    );
    expect(ls.lastState!.terminated).to.include({ exitCode: 3, reason: 'Error' });
    expect(looping.status!.phase).to.equal('Running');
    await waitForPod(
      'crashloop',
      'restartCount >= 3',
      (x) => x.status!.containerStatuses![0]!.restartCount >= 3,
    );
  });

  it('restarts a container whose liveness probe fails', async () => {
    await client.create(
      PODS,
      pod('unhealthy', 'node-a', [
        serverContainer({
          livenessProbe: { httpGet: { path: '/bad', port: 'http' }, periodSeconds: 1, failureThreshold: 2 },
        }),
      ]),
    );
    const p = await waitForPod('unhealthy', 'Running', (x) => x.status?.phase === 'Running' && ready(x));
    const pid = pidOf(p);
    const restarted = await waitForPod(
      'unhealthy',
      'restarted',
      (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
    );
    expect(restarted.status!.containerStatuses![0]!.lastState!.terminated).to.be.an('object');
    await pollUntil(() => !alive(pid), 10_000, 'the unhealthy instance gone');
  });

  it('keeps a container without a passing readiness probe not Ready', async () => {
    await client.create(
      PODS,
      pod('never-ready', 'node-a', [
        serverContainer({
          readinessProbe: { tcpSocket: { port: 1 }, periodSeconds: 1, failureThreshold: 1 },
        }),
      ]),
    );
    const p = await waitForPod('never-ready', 'Running', (x) => x.status?.phase === 'Running');
    await sleep(1500);
    const later = await get('never-ready');
    expect(ready(later)).to.equal(false);
    expect(later.status!.conditions!.find((c) => c.type === 'ContainersReady')!.status).to.equal('False');
    expect(pidOf(later)).to.equal(pidOf(p));
  });

  it('runs a restartPolicy Never pod to Succeeded', async () => {
    await client.create(
      PODS,
      pod('once', 'node-a', [{ name: 'job', image: 'x', command: ['node', '-e', 'console.log("done")'] }], {
        restartPolicy: 'Never',
      }),
    );
    const p = await waitForPod('once', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    const cs = p.status!.containerStatuses![0]!;
    expect(cs.state!.terminated).to.include({ exitCode: 0, reason: 'Completed' });
    expect(cs.restartCount).to.equal(0);
    const logs = await httpGet(kubelet.port, '/containerLogs/default/once/job?tailLines=1');
    expect(logs).to.deep.equal({ status: 200, body: 'done\n' });
  });

  it('gives an unconfined pod its ConfigMap, Secret and downward API values, as env and as files under its own directory', async () => {
    await client.create(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default' },
      data: { colour: 'blue', 'app.conf': 'x=1' },
    });
    await client.create(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'default' },
      stringData: { password: 'hunter2' },
    });
    const script = [
      "const fs = require('fs');",
      "const read = (f) => fs.readFileSync(f, 'utf8');",
      'console.log(JSON.stringify({ env: [process.env.PASSWORD, process.env.CM_colour, process.env.ME],',
      "  files: [read('conf/app.conf'), read('creds/password'), read('info/name')], cwd: process.cwd() }));",
    ].join('\n');
    const created = await client.create(
      PODS,
      pod(
        'configured',
        'node-a',
        [
          {
            name: 'job',
            image: 'x',
            command: ['node', '-e', script],
            env: [
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            envFrom: [{ prefix: 'CM_', configMapRef: { name: 'settings' } }],
            volumeMounts: [
              { name: 'conf', mountPath: 'conf' },
              { name: 'creds', mountPath: 'creds' },
              { name: 'info', mountPath: 'info' },
            ],
          },
        ],
        {
          restartPolicy: 'Never',
          volumes: [
            { name: 'conf', configMap: { name: 'settings' } },
            { name: 'creds', secret: { secretName: 'creds' } },
            {
              name: 'info',
              downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] },
            },
          ],
        },
      ),
    );
    await waitForPod('configured', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    const logs = await httpGet(kubelet.port, '/containerLogs/default/configured/job?tailLines=1');
    const seen = JSON.parse(logs.body) as { env: string[]; files: string[]; cwd: string };
    expect(seen.env).to.deep.equal(['hunter2', 'blue', 'configured']);
    expect(seen.files).to.deep.equal(['x=1', 'hunter2', 'configured']);
    expect(seen.cwd).to.equal(
      join(kubelet.rootDir, 'pods', `default_configured_${created.metadata.uid}`, 'work'),
    );
  });

  it('refuses an absolute mountPath on an unconfined pod with a clear event, and waits for a missing Secret', async () => {
    await client.create(
      PODS,
      pod(
        'absolute',
        'node-a',
        [{ name: 'c', image: 'crucible/sleeper', volumeMounts: [{ name: 'v', mountPath: '/etc/v' }] }],
        { volumes: [{ name: 'v', emptyDir: {} }] },
      ),
    );
    const absolute = await waitForPod(
      'absolute',
      'CreateContainerConfigError',
      (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError',
    );
    expect(absolute.status!.containerStatuses![0]!.state!.waiting!.message).to.contain(
      'this kubelet does not confine pods (no --pod-uid-range), so it cannot mount volumes at absolute paths',
    );
    await client.create(
      PODS,
      pod('missing', 'node-a', [
        {
          name: 'c',
          image: 'crucible/sleeper',
          env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'later', key: 'k' } } }],
        },
      ]),
    );
    const waiting = await waitForPod(
      'missing',
      'CreateContainerConfigError',
      (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError',
    );
    expect(waiting.status!.containerStatuses![0]!.state!.waiting!.message).to.equal(
      'secret "later" not found',
    );
    await client.create(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'later', namespace: 'default' },
      stringData: { k: 'v' },
    });
    await waitForPod('missing', 'Running once the Secret exists', ready, 20_000);
    await client.delete(PODS, 'default', 'missing', { gracePeriodSeconds: 0 });
    await client.delete(PODS, 'default', 'absolute', { gracePeriodSeconds: 0 });
  });

  it('deletes a pod gracefully: SIGTERM, exit, object gone', async () => {
    const created = await client.create(PODS, pod('doomed', 'node-a', [serverContainer()]));
    const p = await waitForPod('doomed', 'Ready', ready);
    const pid = pidOf(p);
    await waitServing(hostPort(p));
    await client.delete(PODS, 'default', 'doomed');
    await pollUntil(async () => !(await client.tryGet(PODS, 'default', 'doomed')), 10_000, 'pod object gone');
    expect(alive(pid)).to.equal(false);
    const log = readFileSync(
      join(kubelet.rootDir, 'pods', `default_doomed_${created.metadata.uid}`, 'web.log'),
      'utf8',
    );
    expect(log).to.include('got SIGTERM');
  });

  it('runs a loaded image’s program in its folder (--image), with the pod’s args after it, its command instead of it, its workingDir instead of the folder', async () => {
    const app = join(rootBase, 'my-api');
    mkdirSync(app);
    writeFileSync(join(app, 'greeting.txt'), 'hello from my-api');
    writeFileSync(
      join(app, 'server.js'),
      [
        "const { readFileSync } = require('fs');",
        "require('http').createServer((q, s) => s.end(JSON.stringify({ cwd: process.cwd(), args: process.argv.slice(2),",
        "  greeting: readFileSync(__dirname + '/greeting.txt', 'utf8') })))",
        '  .listen(+process.env.PORT, process.env.POD_IP);',
      ].join('\n'),
    );
    const other = join(rootBase, 'elsewhere');
    mkdirSync(other);
    const c = await startKubelet('node-c', undefined, [
      `--image=example.com/my-api:1.0=${app}:["node","server.js"]`,
    ]);
    const web = (extra: Partial<Container> = {}): Container => ({
      name: 'web',
      image: 'example.com/my-api:1.0',
      ports: [{ containerPort: 8080 }],
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
      ...extra,
    });
    await client.create(PODS, pod('mine', 'node-c', [web({ args: ['--verbose'] })]));
    // As an image's WORKDIR: the pod's replaces it, and a relative path in the command would then
    // be looked for there (so this one names its program by its full path).
    await client.create(
      PODS,
      pod('mine-elsewhere', 'node-c', [web({ workingDir: other, command: ['node', `${app}/server.js`] })]),
    );
    await client.create(
      PODS,
      pod('mine-own-command', 'node-c', [web({ command: ['node', `${app}/server.js`], args: ['x'] })]),
    );
    const answer = async (name: string) => {
      const p = await waitForPod(name, 'Ready', ready);
      pidOf(p);
      return JSON.parse((await httpGet(hostPort(p))).body) as {
        cwd: string;
        args: string[];
        greeting: string;
      };
    };
    expect(await answer('mine')).to.deep.equal({
      cwd: app,
      args: ['--verbose'],
      greeting: 'hello from my-api',
    });
    expect((await answer('mine-elsewhere')).cwd).to.equal(other);
    expect(await answer('mine-own-command')).to.deep.include({ cwd: app, args: ['x'] });
    const status = (await get('mine')).status!.containerStatuses![0]!;
    expect(status).to.include({ image: 'example.com/my-api:1.0', imageID: `process://${app}` });

    await client.create(PODS, pod('not-loaded', 'node-c', [web({ image: 'example.com/my-api:2.0' })]));
    const missing = await waitForPod(
      'not-loaded',
      'ErrImagePull',
      (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull',
    );
    expect(missing.status!.containerStatuses![0]!.state!.waiting!.message).to.include(
      'the images loaded onto the node (example.com/my-api:1.0)',
    );
    for (const name of ['mine', 'mine-elsewhere', 'mine-own-command', 'not-loaded'])
      await client.delete(PODS, 'default', name);
    await c.proc.stop();
  });

  it('leaves an unknown image waiting with ErrImagePull and stays healthy', async () => {
    await client.create(
      PODS,
      pod('no-such-image', 'node-a', [{ name: 'c', image: 'crucible/no-such-program' }]),
    );
    await client.create(PODS, pod('bad-name', 'node-a', [{ name: 'c', image: 'Not A Valid Image' }]));
    const p = await waitForPod(
      'no-such-image',
      'ErrImagePull',
      (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull',
    );
    expect(p.status!.phase).to.equal('Pending');
    await waitForPod(
      'bad-name',
      'InvalidImageName',
      (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'InvalidImageName',
    );
    expect((await httpGet(kubelet.port, '/healthz')).status).to.equal(200);
    const metrics = await httpGet(kubelet.port, '/metrics');
    expect(metrics.body).to.include('kubelet_running_pods');
    expect(metrics.body).to.include('kubelet_container_restarts_total');
  });

  it('keeps pods running untouched while the apiserver is away, then reports again', async () => {
    await client.create(
      PODS,
      pod('survivor', 'node-a', [
        {
          name: 'web',
          image: 'crucible/echo',
          ports: [{ containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
        },
      ]),
    );
    const p = await waitForPod('survivor', 'Ready', ready);
    const pid = pidOf(p);
    const port = Number(new URL(cp.url).port);
    await cp.server.stop();
    try {
      await sleep(1500);
      // Flipped while nobody can be told: the kubelet must report it once the apiserver is back.
      const res = await request(`http://127.0.0.1:${hostPort(p)}/ready?state=false`, { method: 'POST' });
      await res.body.dump();
      await sleep(3500);
      expect(alive(pid)).to.equal(true);
      expect((await httpGet(kubelet.port, '/healthz')).status).to.equal(200);
    } finally {
      cp.server = new ApiServer({ ...(cp as any).options, port });
      await cp.server.start();
      await cp.waitReady();
    }
    const after = await waitForPod('survivor', 'reported not Ready', (x) => !ready(x));
    expect(pidOf(after)).to.equal(pid);
    expect(after.status!.containerStatuses![0]!.restartCount).to.equal(0);
    const lease = await client.get<Lease>(LEASES, 'kube-node-lease', 'node-a');
    await pollUntil(
      async () =>
        (await client.get<Lease>(LEASES, 'kube-node-lease', 'node-a')).spec!.renewTime !==
        lease.spec!.renewTime,
      10_000,
      'lease renewed after the outage',
    );
  });

  it('loses its pods when SIGKILLed; a restarted kubelet cleans up and finishes deletions', async () => {
    const b = await startKubelet('node-b');
    await client.create(PODS, pod('on-b', 'node-b', [serverContainer()]));
    await client.create(PODS, pod('deleted-while-down', 'node-b', [serverContainer()]));
    const p1 = await waitForPod('on-b', 'Ready', ready);
    const p2 = await waitForPod('deleted-while-down', 'Ready', ready);
    const [pid1, pid2] = [pidOf(p1), pidOf(p2)];
    await b.proc.kill();
    await pollUntil(() => !alive(pid1) && !alive(pid2), 5000, 'workloads gone with their kubelet');

    // A stray container group recorded in the root dir, as a kubelet killed mid-start might leave.
    const stray = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      detached: true,
      stdio: 'ignore',
    });
    pids.add(stray.pid!);
    const stat = readFileSync(`/proc/${stray.pid}/stat`, 'utf8');
    mkdirSync(join(b.rootDir, 'containers'), { recursive: true });
    writeFileSync(
      join(b.rootDir, 'containers', 'stray.json'),
      JSON.stringify({
        id: 'stray',
        podUid: 'gone',
        namespace: 'default',
        podName: 'gone',
        containerName: 'c',
        pgid: stray.pid,
        pid: stray.pid,
        procStart: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19],
      }),
    );
    await client.delete(PODS, 'default', 'deleted-while-down');
    expect((await get('deleted-while-down')).metadata.deletionTimestamp).to.be.a('string');

    const b2 = await startKubelet('node-b', b.rootDir);
    await pollUntil(() => stray.exitCode !== null || stray.signalCode !== null, 5000, 'stray group killed');
    expect(existsSync(join(b.rootDir, 'containers', 'stray.json'))).to.equal(false);
    await pollUntil(
      async () => !(await client.tryGet(PODS, 'default', 'deleted-while-down')),
      10_000,
      'pod deleted while the kubelet was down is gone',
    );
    const again = await waitForPod('on-b', 'running again', (x) => ready(x) && pidOf(x) !== pid1);
    expect(again.status!.containerStatuses![0]!.restartCount).to.equal(1);
    const views = await kubeletPods(b2);
    expect(views.items.map((v) => v.metadata.name)).to.deep.equal(['on-b']);
    await b2.proc.stop();
    await pollUntil(() => !alive(pidOf(again)), 8000, 'workloads stopped with their kubelet (SIGTERM)');
  });
});
