import { expect } from 'chai';
import { request, type Agent } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { LocalProcess, outputContains } from '../../harness/cluster/local-process.js';
import { startComponent } from '../../testing/component-process.js';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { TestControlPlane } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { EndpointSubset, Endpoints, Pod, Service, ServicePort } from '../api/types.js';
import { EndpointsController } from '../controllers/endpoints-controller.js';
import { workloadProgramPath } from '../workloads/index.js';

const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const PODS = findResource('', 'v1', 'pods')!;

interface Echo {
  name: string;
  port: number;
  proc: LocalProcess;
}

interface Answer {
  status: number;
  body: any;
}

/** One GET on a fresh connection, so that each request is one connection through the proxy. */
function get(host: string, port: number, path = '/', agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // plain text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((w) => labelText.split(',').includes(w))) return Number(line.split(' ').pop());
  }
  return 0;
}

describe('kube-proxy process over a real apiserver', function () {
  this.timeout(60_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let proxy: LocalProcess;
  let healthzPort: number;
  // A loopback address of its own, so node ports do not collide with other suites on this host.
  const bind = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${2 + Math.floor(Math.random() * 250)}`;
  const echoes: Echo[] = [];
  const blockers: Server[] = [];

  const startEcho = async (name: string): Promise<Echo> => {
    const proc = new LocalProcess({
      name,
      command: process.execPath,
      args: [workloadProgramPath('crucible/echo')!],
      logFile: join(cp.dir, `${name}.log`),
      ready: outputContains('"listening"'),
      env: { PORT: '0', POD_IP: '127.0.0.1', POD_NAME: name, POD_NAMESPACE: 'default', NODE_NAME: 'node-1' },
    });
    await proc.start();
    const echo = { name, proc, port: (JSON.parse(proc.printed.split('\n')[0]!) as { port: number }).port };
    echoes.push(echo);
    return echo;
  };

  const createNodePortService = async (
    name: string,
    ports: ServicePort[],
    selector?: Record<string, string>,
  ) =>
    client.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default' },
      spec: { type: 'NodePort', ports, ...(selector ? { selector } : {}) },
    });

  /** Hand-made Endpoints: each echo in a subset of its own, as pods with different node-local ports are. */
  const setEndpoints = async (name: string, ready: Echo[], portName = 'http') => {
    const subsets: EndpointSubset[] = ready.map((e) => ({
      addresses: [{ ip: '127.0.0.1', targetRef: { kind: 'Pod', namespace: 'default', name: e.name } }],
      ports: [{ name: portName, port: e.port, protocol: 'TCP' }],
    }));
    const current = await client.tryGet<Endpoints>(ENDPOINTS, 'default', name);
    const desired: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name,
        namespace: 'default',
        ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      subsets,
    };
    if (current) await client.update(ENDPOINTS, desired);
    else await client.create(ENDPOINTS, desired);
  };

  const waitAnswering = (port: number, host = bind) =>
    pollUntil(
      async () => (await get(host, port).catch(() => undefined))?.status === 200,
      15_000,
      `${host}:${port} answering through the proxy`,
    );

  const metrics = async () => {
    const res = await fetch(`http://${bind}:${healthzPort}/metrics`);
    return res.text();
  };

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    proxy = await startComponent(cp, 'kube-proxy', 'node-1', [
      '--node-name=node-1',
      `--bind-address=${bind}`,
      '--healthz-port=0',
      '--bind-retry-period=200ms',
    ]);
    await pollUntil(() => /"healthzPort":\d+/.test(proxy.printed), 10_000, 'the health port in the log');
    healthzPort = Number(/"healthzPort":(\d+)/.exec(proxy.printed)![1]);
  });

  after(async () => {
    await proxy?.stop();
    for (const e of echoes) await e.proc.stop();
    for (const b of blockers) b.close();
    await client?.close();
    await cp?.stop();
  });

  it('answers /healthz with 200 once its caches synced', async () => {
    await pollUntil(
      async () => (await fetch(`http://${bind}:${healthzPort}/healthz`)).status === 200,
      10_000,
      'healthz 200',
    );
    expect(await (await fetch(`http://${bind}:${healthzPort}/healthz`)).text()).to.equal('ok');
    expect((await fetch(`http://${bind}:${healthzPort}/nothing`)).status).to.equal(404);
  });

  it('forwards a NodePort Service to both of its endpoints, round robin, also on 127.0.0.1', async () => {
    const [a, b] = [await startEcho('web-a'), await startEcho('web-b')];
    await setEndpoints('web', [a, b]);
    const svc = await createNodePortService('web', [{ name: 'http', port: 80, targetPort: 8080 }]);
    const nodePort = svc.spec.ports![0]!.nodePort!;
    await waitAnswering(nodePort);
    const served = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const answer = await get(bind, nodePort, `/req/${i}`);
      expect(answer.status).to.equal(200);
      expect(answer.body).to.include({ path: `/req/${i}`, namespace: 'default', node: 'node-1' });
      served.set(answer.body.pod, (served.get(answer.body.pod) ?? 0) + 1);
    }
    expect([...served.keys()].sort()).to.deep.equal(['web-a', 'web-b']);
    expect(served.get('web-a')).to.equal(10);
    // Pods of the node reach the Service on localhost:nodePort too.
    await waitAnswering(nodePort, '127.0.0.1');
    expect((await get('127.0.0.1', nodePort)).body.pod).to.be.oneOf(['web-a', 'web-b']);
  });

  it('skips an endpoint that stopped, failing no request, and counts the failed attempts', async () => {
    const svc = await client.get<Service>(SERVICES, 'default', 'web');
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const b = echoes.find((e) => e.name === 'web-b')!;
    await b.proc.kill();
    const served = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const answer = await get(bind, nodePort);
      expect(answer.status).to.equal(200);
      served.add(answer.body.pod);
    }
    expect([...served]).to.deep.equal(['web-a']);
    const failures = metricValue(await metrics(), 'kubeproxy_connect_failures_total', {
      service: 'default/web',
      endpoint: `127.0.0.1:${b.port}`,
    });
    expect(failures).to.be.at.least(10);
  });

  it('closes the client connection when no endpoint accepts it', async () => {
    const svc = await client.get<Service>(SERVICES, 'default', 'web');
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const a = echoes.find((e) => e.name === 'web-a')!;
    const c = await startEcho('web-c');
    await a.proc.kill();
    const error = await get(bind, nodePort).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.match(/socket hang up|ECONNRESET/);
    await setEndpoints('web', [c]);
    await pollUntil(
      async () => (await get(bind, nodePort).catch(() => undefined))?.body?.pod === 'web-c',
      10_000,
      'web-c serving',
    );
  });

  it('exposes connections, bytes and active connections in /metrics', async () => {
    const svc = await client.get<Service>(SERVICES, 'default', 'web');
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const before = await metrics();
    for (let i = 0; i < 5; i++) expect((await get(bind, nodePort)).status).to.equal(200);
    const after = await metrics();
    const connections = (text: string) =>
      metricValue(text, 'kubeproxy_connections_total', { service: 'default/web', port: 'http' });
    expect(connections(after) - connections(before)).to.equal(5);
    for (const direction of ['in', 'out']) {
      const bytes = (text: string) =>
        metricValue(text, 'kubeproxy_bytes_total', { service: 'default/web', direction });
      expect(bytes(after) - bytes(before), direction).to.be.greaterThan(5 * 30);
    }
    const active = () =>
      metrics().then((t) => metricValue(t, 'kubeproxy_active_connections', { service: 'default/web' }));
    const open: Socket = connect({ host: bind, port: nodePort });
    await pollUntil(async () => (await active()) === 1, 10_000, 'one active connection');
    open.destroy();
    await pollUntil(async () => (await active()) === 0, 10_000, 'no active connection');
  });

  it('follows the Endpoints the endpoints controller builds from pod readiness', async () => {
    const controllers = runControllers(cp, (ctx) => [new EndpointsController(ctx)]);
    try {
      const [r1, r2] = [await startEcho('ready-1'), await startEcho('ready-2')];
      for (const echo of [r1, r2]) {
        const pod = await client.create<Pod>(PODS, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: echo.name, namespace: 'default', labels: { app: 'ready' } },
          spec: { containers: [{ name: 'echo', image: 'crucible/echo', ports: [{ containerPort: 8080 }] }] },
        });
        await client.updateStatus(PODS, {
          ...pod,
          status: {
            phase: 'Running',
            podIP: '127.0.0.1',
            conditions: [{ type: 'Ready', status: 'True' }],
            portMappings: [{ containerName: 'echo', containerPort: 8080, hostPort: echo.port }],
          },
        });
      }
      const svc = await createNodePortService('ready', [{ port: 80, targetPort: 8080 }], { app: 'ready' });
      const nodePort = svc.spec.ports![0]!.nodePort!;
      const pods = async (n: number) => {
        const seen = new Set<string>();
        for (let i = 0; i < n; i++) seen.add((await get(bind, nodePort)).body.pod);
        return [...seen].sort();
      };
      await pollUntil(async () => (await pods(4).catch(() => [])).length === 2, 15_000, 'both pods serving');
      const pod = await client.get<Pod>(PODS, 'default', 'ready-2');
      await client.updateStatus(PODS, {
        ...pod,
        status: { ...pod.status, conditions: [{ type: 'Ready', status: 'False' }] },
      });
      await pollUntil(async () => (await pods(4)).join() === 'ready-1', 15_000, 'only the ready pod serving');
    } finally {
      await controllers.stop();
    }
  });

  it('keeps retrying a node port it cannot bind, and serves it once it is free', async () => {
    let blocker: Server | undefined;
    let nodePort = 0;
    while (!blocker) {
      nodePort = 30000 + Math.floor(Math.random() * 2768);
      const server = createServer();
      blocker = await new Promise<Server | undefined>((resolve) => {
        server.once('error', () => resolve(undefined));
        server.listen(nodePort, bind, () => resolve(server));
      });
    }
    blockers.push(blocker);
    const echo = await startEcho('busy-1');
    await setEndpoints('busy', [echo]);
    await createNodePortService('busy', [{ name: 'http', port: 80, nodePort }]);
    await pollUntil(
      () => proxy.printed.includes('cannot bind node port') && proxy.printed.includes(String(nodePort)),
      10_000,
      'the bind failure logged',
    );
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await waitAnswering(nodePort);
    expect((await get(bind, nodePort)).body.pod).to.equal('busy-1');
  });

  it('keeps forwarding from its cache while the apiserver is down, failing no request', async () => {
    const svc = await client.get<Service>(SERVICES, 'default', 'web');
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const d = await startEcho('web-d');
    const c = echoes.find((e) => e.name === 'web-c')!;
    await setEndpoints('web', [c, d]);
    await pollUntil(async () => (await get(bind, nodePort)).body.pod === 'web-d', 10_000, 'web-d serving');
    let ok = 0;
    const failures: string[] = [];
    const served = new Set<string>();
    let sending = true;
    const load = (async () => {
      while (sending) {
        try {
          const answer = await get(bind, nodePort);
          if (answer.status === 200) {
            ok++;
            served.add(answer.body.pod);
          } else failures.push(`HTTP ${answer.status}`);
        } catch (e) {
          failures.push((e as Error).message);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 300));
      await cp.server.stop();
      const okBeforeOutage = ok;
      await new Promise((r) => setTimeout(r, 4000));
      expect((await fetch(`http://${bind}:${healthzPort}/healthz`)).status).to.equal(200);
      expect(ok - okBeforeOutage).to.be.greaterThan(20);
      await cp.restartApiServer();
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      sending = false;
      await load;
    }
    expect(failures).to.deep.equal([]);
    expect([...served].sort()).to.deep.equal(['web-c', 'web-d']);
    // Back in touch: a change made after the outage is followed.
    await setEndpoints('web', [d]);
    await pollUntil(
      async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 4; i++) seen.add((await get(bind, nodePort)).body.pod);
        return seen.size === 1 && seen.has('web-d');
      },
      10_000,
      'only web-d serving after the outage',
    );
  });

  it('closes the listener of a deleted Service', async () => {
    const svc = await client.get<Service>(SERVICES, 'default', 'busy');
    const nodePort = svc.spec.ports![0]!.nodePort!;
    expect(await accepts(bind, nodePort)).to.equal(true);
    await client.delete(SERVICES, 'default', 'busy');
    await pollUntil(async () => !(await accepts(bind, nodePort)), 10_000, 'the node port closed');
    expect(await accepts('127.0.0.1', nodePort)).to.equal(false);
  });

  it('stops promptly on SIGTERM, closing its node ports', async () => {
    const svc = await client.get<Service>(SERVICES, 'default', 'web');
    const nodePort = svc.spec.ports![0]!.nodePort!;
    const held: Socket = connect({ host: bind, port: nodePort });
    await new Promise((resolve) => held.once('connect', resolve));
    const closed = new Promise((resolve) => held.once('close', resolve));
    held.on('error', () => undefined);
    const started = Date.now();
    await proxy.stop();
    expect(Date.now() - started).to.be.below(3000);
    await closed;
    expect(await accepts(bind, nodePort)).to.equal(false);
  });
});
