import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { LocalProcess } from '../../harness/cluster/local-process.js';
import { startComponent, startWorker, type TestWorker } from '../../testing/component-process.js';
import { adminClient } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TestControlPlane, TEST_TOKENS } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { isPodActive, isPodReady } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import type { Deployment, KubeList, Pod, Service } from '../api/types.js';

const PODS = findResource('', 'v1', 'pods')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const SERVICES = findResource('', 'v1', 'services')!;

/** The kubelet's ground truth: what runs on the node, whatever the API says (its /pods PodList). */
async function groundTruth(worker: TestWorker): Promise<{ pod: string; id?: string; restarts: number }[]> {
  const res = await request(`http://${worker.ip}:${worker.kubeletPort}/pods`);
  const body = (await res.body.json()) as KubeList<Pod>;
  return body.items
    .flatMap((pod) =>
      (pod.status?.containerStatuses ?? []).map((c) => ({
        pod: pod.metadata.name!,
        id: c.state?.running ? c.containerID : undefined,
        restarts: c.restartCount,
      })),
    )
    .sort((a, b) => a.pod.localeCompare(b.pod));
}

describe('node agents: kubelets and kube-proxies with a control plane (all real processes)', function () {
  this.timeout(180_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let rootDir: string;
  const workers: TestWorker[] = [];
  const processes: LocalProcess[] = [];
  let nodePort = 0;

  before(async () => {
    cp = await TestControlPlane.start({
      defaulting: { notReadyTolerationSeconds: 1, unreachableTolerationSeconds: 1 },
    });
    client = adminClient(cp);
    rootDir = await mkdtemp(join(tmpdir(), 'crucible-nodes-'));
    processes.push(await startComponent(cp, 'scheduler', 'sched'));
    processes.push(await startComponent(cp, 'controller-manager', 'cm'));
    // Worker N at its own loopback address, as the process provider lays out nodes.
    const suffix = 100 + Math.floor(Math.random() * 100);
    for (const [i, name] of (['worker-1', 'worker-2'] as const).entries())
      workers.push(await startWorker(cp, name, `127.0.${suffix}.${i + 1}`, rootDir));
  });

  after(async () => {
    for (const w of workers) {
      await w.proxy.stop();
      await w.kubelet.stop();
    }
    for (const p of processes) await p.stop();
    await client?.close();
    await cp?.stop();
    await rm(rootDir, { recursive: true, force: true });
  });

  it('serves a NodePort Service over two echo pods on two nodes through either node, spread over both pods', async () => {
    const labels = { app: 'echo' };
    await client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'echo', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'echo',
                image: 'crucible/echo',
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    } as Deployment);
    const svc = await client.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'echo', namespace: 'default' },
      spec: { type: 'NodePort', selector: labels, ports: [{ port: 80, targetPort: 'http' }] },
    });
    nodePort = svc.spec.ports![0]!.nodePort!;
    await pollUntil(
      async () => {
        const pods = (await client.list<Pod>(PODS, 'default', { labelSelector: 'app=echo' })).items.filter(
          isPodActive,
        );
        return (
          pods.length === 2 && pods.every(isPodReady) && new Set(pods.map((p) => p.spec.nodeName)).size === 2
        );
      },
      30_000,
      'two ready echo pods on two nodes',
    );

    for (const w of workers) {
      const seen = new Set<string>();
      await pollUntil(
        async () => {
          // kube-proxy balances connections, not requests: a fresh connection each time.
          const res = await request(`http://${w.ip}:${nodePort}/`, { reset: true }).catch(() => undefined);
          if (res?.statusCode === 200) seen.add(((await res.body.json()) as { pod: string }).pod);
          else await res?.body.dump();
          return seen.size === 2;
        },
        15_000,
        `both pods answering through ${w.name}`,
      );
    }
  });

  it('shows a pod’s output with kubectl logs', async () => {
    const [pod] = (await client.list<Pod>(PODS, 'default', { labelSelector: 'app=echo' })).items;
    const out = await new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile).ok([
      'logs',
      pod!.metadata.name!,
      '-n',
      'default',
    ]);
    expect(out).to.match(/listening/i);
  });

  it('keeps serving through kube-proxy with 0 failed requests while the apiserver is down for 30 s, with the same processes', async () => {
    const before = await Promise.all(workers.map(groundTruth));
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const w = workers[i % workers.length]!;
        try {
          const res = await request(`http://${w.ip}:${nodePort}/`, {
            headersTimeout: 2000,
            bodyTimeout: 2000,
          });
          await res.body.dump();
          if (res.statusCode === 200) ok++;
          else failures.push(`${w.name}: HTTP ${res.statusCode}`);
        } catch (e) {
          failures.push(`${w.name}: ${(e as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await cp.server.stop();
    await new Promise((r) => setTimeout(r, 30_000));
    await cp.restartApiServer();
    await new Promise((r) => setTimeout(r, 1000));
    running = false;
    await load;
    const after = await Promise.all(workers.map(groundTruth));
    console.log(`      apiserver down 30 s: ${ok} requests answered, ${failures.length} failed`);
    expect(failures).to.deep.equal([]);
    expect(ok).to.be.greaterThan(500);
    expect(after, 'same processes, no restarts (kubelet ground truth)').to.deep.equal(before);
    // Status updates resume: a readiness change made now reaches the API.
    const [pod] = (await client.list<Pod>(PODS, 'default', { labelSelector: 'app=echo' })).items;
    const w = workers.find((x) => x.name === pod!.spec.nodeName)!;
    const port = pod!.status!.portMappings![0]!.hostPort;
    await request(`http://${w.ip}:${port}/ready?state=false`, { method: 'POST' }).then((r) => r.body.dump());
    await pollUntil(
      async () => !isPodReady(await client.get<Pod>(PODS, 'default', pod!.metadata.name!)),
      10_000,
      'readiness reported',
    );
    await request(`http://${w.ip}:${port}/ready?state=true`, { method: 'POST' }).then((r) => r.body.dump());
  });
});
