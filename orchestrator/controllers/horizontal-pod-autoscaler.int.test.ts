import { expect } from 'chai';
import { adminClient, runControllers } from '../../testing/controller-context.js';
import { Kubectl } from '../../testing/kubectl.js';
import { TestControlPlane, TEST_TOKENS } from '../../testing/test-control-plane.js';
import { pollUntil } from '../../harness/support/poll-until.js';
import type { ApiClient } from '../api/client/index.js';
import { isApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { Deployment, HorizontalPodAutoscaler, Pod } from '../api/types.js';
import { DeploymentController } from './deployment-controller.js';
import { HorizontalPodAutoscalerController } from './horizontal-pod-autoscaler-controller.js';
import type { PodMetricsSource } from './pod-metrics-source.js';
import type { PodUsage } from './replica-calculator.js';
import { ReplicaSetController } from './replicaset-controller.js';

const PODS = findResource('', 'v1', 'pods')!;
const HPAS = findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const NS = 'autoscaled';

const deployment = (name: string, resources: object) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: app
          image: crucible/sleeper
          resources: ${JSON.stringify(resources)}
`;

/**
 * Usage as the resource metrics API would report it, the same for every pod the selector matches.
 * Stands in for metrics.k8s.io here: no kubelet runs these pods, so there is nothing to sample.
 */
class FixedUsage implements PodMetricsSource {
  milliCpu = 150;
  constructor(private readonly client: ApiClient) {}

  async podUsage(namespace: string, labelSelector: string, resource: string): Promise<Map<string, PodUsage>> {
    const pods = await this.client.list<Pod>(PODS, namespace, { labelSelector });
    const value = resource === 'cpu' ? this.milliCpu : 64 * 1024 * 1024 * 1000;
    return new Map(
      pods.items.map((p) => [
        p.metadata.name!,
        { milliValue: value, timestampMs: Date.now(), windowMs: 1_000 },
      ]),
    );
  }
}

/** Marks every pod of the namespace Running and Ready, started a minute ago, as a kubelet would. */
async function runPods(client: ApiClient): Promise<void> {
  const pods = await client.list<Pod>(PODS, NS);
  for (const pod of pods.items) {
    if (pod.status?.phase === 'Running') continue;
    const longAgo = new Date(Date.now() - 60_000).toISOString();
    try {
      await client.updateStatus(PODS, {
        ...pod,
        status: {
          ...pod.status,
          phase: 'Running',
          startTime: longAgo,
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: longAgo }],
        },
      });
    } catch (e) {
      if (!isApiError(e, 'Conflict') && !isApiError(e, 'NotFound')) throw e;
    }
  }
}

describe('HorizontalPodAutoscaler (real kubectl 1.32, real etcd, the controller on fixed usage)', function () {
  this.timeout(120_000);
  let cp: TestControlPlane;
  let kubectl: Kubectl;
  let client: ApiClient;
  let stop: (() => Promise<void>) | undefined;
  let kubelet: NodeJS.Timeout | undefined;
  const usage = { source: undefined as FixedUsage | undefined };

  before(async () => {
    cp = await TestControlPlane.start();
    kubectl = new Kubectl(cp.url, TEST_TOKENS.admin, cp.caFile);
    client = adminClient(cp);
    usage.source = new FixedUsage(client);
    await kubectl.ok(['create', 'namespace', NS]);
    await kubectl.ok(['apply', '-f', '-'], deployment('web', { requests: { cpu: '100m' } }));
    ({ stop } = runControllers(cp, (ctx) => [
      new ReplicaSetController(ctx),
      new DeploymentController(ctx),
      new HorizontalPodAutoscalerController(ctx, usage.source),
    ]));
    kubelet = setInterval(() => void runPods(client).catch(() => undefined), 200);
  });
  after(async () => {
    clearInterval(kubelet);
    await stop?.();
    await client?.close();
    await cp?.stop();
  });

  const hpa = (name: string) => client.get<HorizontalPodAutoscaler>(HPAS, NS, name);
  const condition = (h: HorizontalPodAutoscaler, type: string) =>
    h.status?.conditions?.find((c) => c.type === type);

  it('`kubectl autoscale` creates an HPA (sent as autoscaling/v1) that reads back as autoscaling/v2', async () => {
    const out = await kubectl.ok([
      'autoscale',
      'deployment',
      'web',
      '--cpu-percent=50',
      '--min=1',
      '--max=5',
      '-n',
      NS,
    ]);
    expect(out.trim()).to.equal('horizontalpodautoscaler.autoscaling/web autoscaled');
    const created = await hpa('web');
    expect(created.spec).to.deep.equal({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ],
    });
    // The same object through autoscaling/v1, as kubectl 1.32 wrote it; discovery lists v1 too.
    const v1 = await kubectl.ok([
      'get',
      'horizontalpodautoscalers.v1.autoscaling',
      'web',
      '-n',
      NS,
      '-o',
      'json',
    ]);
    expect(JSON.parse(v1)).to.deep.include({
      apiVersion: 'autoscaling/v1',
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 50,
      },
    });
  });

  it('applies an autoscaling/v1 manifest, and a v1 update keeps what only v2 can say', async () => {
    const manifest = (percent: number) => `
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: { name: legacy, namespace: ${NS} }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: absent }
  maxReplicas: 3
  targetCPUUtilizationPercentage: ${percent}
`;
    expect(await kubectl.ok(['apply', '-f', '-'], manifest(60))).to.include(
      'horizontalpodautoscaler.autoscaling/legacy created',
    );
    await kubectl.ok([
      'patch',
      'hpa',
      'legacy',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":30}}}}',
    ]);
    expect(await kubectl.ok(['apply', '-f', '-'], manifest(70))).to.include(
      'horizontalpodautoscaler.autoscaling/legacy configured',
    );
    const stored = await hpa('legacy');
    expect(stored.spec.metrics).to.deep.equal([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ]);
    expect(stored.spec.behavior?.scaleDown?.stabilizationWindowSeconds).to.equal(30);
    await kubectl.ok(['delete', 'hpa', 'legacy', '-n', NS]);
  });

  it('refuses an HPA with a 422 naming the field', async () => {
    const bad = `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: bad, namespace: ${NS} }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 3
  maxReplicas: 2
  metrics: [{ type: Pods, pods: { metric: { name: qps }, target: { type: AverageValue, averageValue: "10" } } }]
`;
    const r = await kubectl.run(['create', '-f', '-'], { input: bad });
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('is invalid');
    expect(r.stderr).to.include(
      'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
    );
    expect(r.stderr).to.include('spec.metrics[0].type: Forbidden: crucible does not serve Pods metrics');
  });

  it('scales the Deployment through /scale as the cpu utilization asks, within the rate and maxReplicas', async () => {
    // 150m of 100m requested is 150% against 50%: three times the pods, at most double (or four) at once.
    await pollUntil(
      async () => ((await client.get<Deployment>(DEPLOYMENTS, NS, 'web')).spec.replicas ?? 0) >= 4,
      30_000,
      'web scaled up',
    );
    await pollUntil(
      async () => (await hpa('web')).status?.desiredReplicas === 5,
      30_000,
      'web at maxReplicas',
    );
    const scaled = await hpa('web');
    expect(scaled.status?.currentMetrics).to.deep.equal([
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 150, averageValue: '150m' } },
      },
    ]);
    expect(scaled.status?.lastScaleTime).to.be.a('string');
    expect(condition(scaled, 'AbleToScale')?.status).to.equal('True');
    expect(condition(scaled, 'ScalingActive')).to.include({ status: 'True', reason: 'ValidMetricFound' });
    await pollUntil(
      async () => condition(await hpa('web'), 'ScalingLimited')?.reason === 'TooManyReplicas',
      30_000,
      'limited by maxReplicas',
    );
    const events = await kubectl.ok([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      'involvedObject.kind=HorizontalPodAutoscaler',
    ]);
    expect(events).to.include('SuccessfulRescale');
    expect(events).to.include(
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
    );
  });

  it('`kubectl get hpa` prints kubectl columns with the measured utilization', async () => {
    let out = '';
    // REPLICAS is the target's count at the last sync: 5 from the sync after the rescale to 5.
    await pollUntil(
      async () => {
        out = await kubectl.ok(['get', 'hpa', '-n', NS]);
        return /^web\s+Deployment\/web\s+cpu: 150%\/50%\s+1\s+5\s+5\s+\S+/m.test(out);
      },
      10_000,
      () => `the web row in\n${out}`,
    );
    expect(out).to.match(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/);
  });

  it('`kubectl describe hpa` shows the metric, the bounds, the conditions and the events', async () => {
    const out = await kubectl.ok(['describe', 'hpa', 'web', '-n', NS]);
    expect(out).to.include('Reference:');
    expect(out).to.include('Deployment/web');
    expect(out).to.match(/resource cpu on pods\s+\(as a percentage of request\):\s+150% \(150m\) \/ 50%/);
    expect(out).to.match(/Min replicas:\s+1/);
    expect(out).to.match(/Max replicas:\s+5/);
    expect(out).to.match(/ScalingLimited\s+True\s+TooManyReplicas/);
    expect(out).to.include('SuccessfulRescale');
  });

  it('scales down only once the downscale stabilization window has passed', async () => {
    // 10m of 100m is 10% against 50%: one pod would do, but the window (5 s in the fast profile)
    // still holds the recommendations of 5.
    usage.source!.milliCpu = 10;
    await pollUntil(
      async () => condition(await hpa('web'), 'AbleToScale')?.reason === 'ScaleDownStabilized',
      10_000,
      'ScaleDownStabilized',
    );
    expect((await client.get<Deployment>(DEPLOYMENTS, NS, 'web')).spec.replicas).to.equal(5);
    await pollUntil(
      async () => (await client.get<Deployment>(DEPLOYMENTS, NS, 'web')).spec.replicas === 1,
      20_000,
      'web scaled down to 1',
    );
    const events = await kubectl.ok(['describe', 'hpa', 'web', '-n', NS]);
    expect(events).to.include('New size: 1; reason: All metrics below target');
  });

  it('reports a container without a cpu request as FailedGetResourceMetric and does not scale', async () => {
    await kubectl.ok(['apply', '-f', '-'], deployment('unrequested', {}));
    await kubectl.ok(['autoscale', 'deployment', 'unrequested', '--cpu-percent=50', '--max=5', '-n', NS]);
    await pollUntil(
      async () => condition(await hpa('unrequested'), 'ScalingActive')?.reason === 'FailedGetResourceMetric',
      30_000,
      'ScalingActive False',
    );
    const failed = condition(await hpa('unrequested'), 'ScalingActive')!;
    expect(failed.status).to.equal('False');
    expect(failed.message).to.match(/missing request for cpu in container app of Pod unrequested-/);
    const replicas = await kubectl.ok([
      'get',
      'deployment',
      'unrequested',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.replicas}',
    ]);
    expect(replicas).to.equal('2');
  });

  it('leaves a target scaled to zero alone (ScalingDisabled)', async () => {
    await kubectl.ok(['scale', 'deployment', 'unrequested', '--replicas=0', '-n', NS]);
    await pollUntil(
      async () => condition(await hpa('unrequested'), 'ScalingActive')?.reason === 'ScalingDisabled',
      30_000,
      'ScalingDisabled',
    );
    const replicas = await kubectl.ok([
      'get',
      'deployment',
      'unrequested',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.replicas}',
    ]);
    expect(replicas).to.equal('0');
  });

  it('`kubectl delete hpa` removes it', async () => {
    expect(await kubectl.ok(['delete', 'hpa', 'unrequested', '-n', NS])).to.include(
      'horizontalpodautoscaler.autoscaling "unrequested" deleted',
    );
    const r = await kubectl.run(['get', 'hpa', 'unrequested', '-n', NS]);
    expect(r.stderr).to.include('NotFound');
  });
});
