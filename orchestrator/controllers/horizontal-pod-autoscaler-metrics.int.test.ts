import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalProcess } from '../../harness/cluster/local-process.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import { startKubelet } from '../../testing/component-process.js';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TEST_TOKENS, TestControlPlane } from '../../testing/test-control-plane.js';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { Deployment, HorizontalPodAutoscaler } from '../api/types.js';
import { DeploymentController } from './deployment-controller.js';
import { HorizontalPodAutoscalerController } from './horizontal-pod-autoscaler-controller.js';
import { ReplicaSetController } from './replicaset-controller.js';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const HPAS = findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
const NS = 'busy';

// A busy loop asking for 50m: whatever share of a core it gets is far above 50% of its request.
// The pods are pinned to the one kubelet (no scheduler runs here).
const BURNER = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: burner, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: burner } }
  template:
    metadata: { labels: { app: burner } }
    spec:
      nodeName: worker-1
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: busybox
          command: [sh, -c, 'while :; do :; done']
          resources: { requests: { cpu: 50m } }
`;

describe('HorizontalPodAutoscaler on the resource metrics API (real apiserver, etcd, kubelet and kubectl)', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let client: ApiClient;
  let kubectl: Kubectl;
  let kubelet: LocalProcess;
  let rootDir: string;
  let stop: (() => Promise<void>) | undefined;

  before(async () => {
    cp = await TestControlPlane.start();
    client = adminClient(cp);
    kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    rootDir = await mkdtemp(join(tmpdir(), 'crucible-hpa-metrics-'));
    ({ kubelet } = await startKubelet(cp, client, 'worker-1', rootDir));
    await kubectl.ok(['create', 'namespace', NS]);
    await kubectl.ok(['apply', '-f', '-'], BURNER);
    ({ stop } = runControllers(cp, (ctx) => [
      new ReplicaSetController(ctx),
      new DeploymentController(ctx),
      new HorizontalPodAutoscalerController(ctx),
    ]));
  });

  after(async () => {
    await stop?.();
    await kubelet?.stop();
    await client?.close();
    await cp?.stop();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  it('scales a Deployment whose pods burn CPU up to maxReplicas, reading metrics.k8s.io', async () => {
    await kubectl.ok([
      'autoscale',
      'deployment',
      'burner',
      '--cpu-percent=50',
      '--min=1',
      '--max=3',
      '-n',
      NS,
    ]);
    // The utilization that drove the scale-out, as the status showed it on the way: once at 3, the
    // new pods have no sample yet, and a sync may report the metric missing for a moment.
    let hpa: HorizontalPodAutoscaler | undefined;
    let highest = 0;
    await pollUntil(
      async () => {
        hpa = await client.get<HorizontalPodAutoscaler>(HPAS, NS, 'burner');
        highest = Math.max(
          highest,
          hpa.status?.currentMetrics?.[0]?.resource?.current.averageUtilization ?? 0,
        );
        const deployment = await client.get<Deployment>(DEPLOYMENTS, NS, 'burner');
        return deployment.spec.replicas === 3 && highest > 0;
      },
      60_000,
      () => `burner scaled to 3 (HPA status ${JSON.stringify(hpa?.status)})`,
    );
    expect(highest, JSON.stringify(hpa!.status)).to.be.greaterThan(50);
    const events = await kubectl.ok(['describe', 'hpa', 'burner', '-n', NS]);
    expect(events).to.match(
      /SuccessfulRescale\s+.*New size: \d; reason: cpu resource utilization \(percentage of request\) above target/,
    );
  });

  it('scales it back to minReplicas once its pods stop burning, after the downscale stabilization', async () => {
    // The same pods made idle: a rollout replaces the busy loop with a sleep.
    await kubectl.ok([
      'patch',
      'deployment',
      'burner',
      '-n',
      NS,
      '--type=json',
      '-p',
      JSON.stringify([
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/command',
          value: ['sh', '-c', 'sleep 3600'],
        },
      ]),
    ]);
    let hpa: HorizontalPodAutoscaler | undefined;
    await pollUntil(
      async () => {
        hpa = await client.get<HorizontalPodAutoscaler>(HPAS, NS, 'burner');
        const deployment = await client.get<Deployment>(DEPLOYMENTS, NS, 'burner');
        return deployment.spec.replicas === 1;
      },
      60_000,
      () => `burner scaled back to 1 (HPA status ${JSON.stringify(hpa?.status)})`,
    );
    const described = await kubectl.ok(['describe', 'hpa', 'burner', '-n', NS]);
    expect(described).to.match(/SuccessfulRescale\s+.*New size: 1; reason: All metrics below target/);
  });
});
