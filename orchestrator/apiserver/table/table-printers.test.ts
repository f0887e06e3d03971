import { expect } from 'chai';

import type {
  ContainerStatus,
  Deployment,
  Endpoints,
  KubeObject,
  Node,
  Pod,
  Service,
} from '../../api/types.js';
import {
  DEFAULT_PRINTER,
  formatEndpoints,
  nodeStatus,
  podStatusCells,
  printerFor,
  resourceQuotaCells,
  serviceExternalIP,
  servicePorts,
  TABLE_PRINTERS,
} from './table-printers.js';

const NOW = new Date('2025-01-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
const meta = (name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject['metadata'] => ({
  name,
  namespace: 'default',
  creationTimestamp: ago(3_600_000),
  ...extra,
});

function containerStatus(overrides: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    name: 'app',
    ready: true,
    restartCount: 0,
    image: 'nginx',
    imageID: '',
    state: { running: { startedAt: ago(60_000) } },
    ...overrides,
  };
}

function pod(status: Pod['status'], extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('web-1'),
    spec: { containers: [{ name: 'app', image: 'nginx' }], nodeName: 'node-a' },
    status,
    ...extra,
  };
}

describe('pod printer', () => {
  it('prints a running pod with all containers ready as 1/1 Running 0', () => {
    const cells = podStatusCells(pod({ phase: 'Running', containerStatuses: [containerStatus()] }), NOW);
    expect(cells).to.deep.equal({ ready: '1/1', status: 'Running', restarts: '0' });
  });

  it('prints a pod not yet scheduled as Pending with no ready containers', () => {
    const cells = podStatusCells(pod({ phase: 'Pending' }), NOW);
    expect(cells).to.deep.equal({ ready: '0/1', status: 'Pending', restarts: '0' });
  });

  it('prints the waiting reason of a crash-looping container with its restarts and time since the last', () => {
    const p = pod({
      phase: 'Running',
      containerStatuses: [
        containerStatus({
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * 60_000) } },
        }),
      ],
    });
    expect(podStatusCells(p, NOW)).to.deep.equal({
      ready: '0/1',
      status: 'CrashLoopBackOff',
      restarts: '3 (5m ago)',
    });
  });

  it('prints plain restart counts when no last termination time is known', () => {
    const p = pod({ phase: 'Running', containerStatuses: [containerStatus({ restartCount: 2 })] });
    expect(podStatusCells(p, NOW).restarts).to.equal('2');
  });

  it('prints the terminated reason of a finished container: Completed or Error', () => {
    const done = pod({
      phase: 'Succeeded',
      containerStatuses: [
        containerStatus({ ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
      ],
    });
    expect(podStatusCells(done, NOW).status).to.equal('Completed');
    const failed = pod({
      phase: 'Failed',
      containerStatuses: [
        containerStatus({ ready: false, state: { terminated: { exitCode: 1, reason: 'Error' } } }),
      ],
    });
    expect(podStatusCells(failed, NOW).status).to.equal('Error');
  });

  it('prints ExitCode:N or Signal:N for a terminated container without a reason', () => {
    const p = pod({
      phase: 'Failed',
      containerStatuses: [
        containerStatus({ ready: false, state: { terminated: { exitCode: 137, signal: 9 } } }),
      ],
    });
    expect(podStatusCells(p, NOW).status).to.equal('Signal:9');
  });

  it('keeps a pod Running when one container completed and another still runs', () => {
    const p = pod({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        containerStatus({ name: 'a' }),
        containerStatus({
          name: 'b',
          ready: false,
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        }),
      ],
    });
    p.spec.containers.push({ name: 'b', image: 'busybox' });
    expect(podStatusCells(p, NOW)).to.include({ ready: '1/2', status: 'Running' });
  });

  it('prints Terminating for a pod being deleted, but not once it has finished', () => {
    const deleting = pod(
      { phase: 'Running', containerStatuses: [containerStatus()] },
      { metadata: meta('web-1', { deletionTimestamp: ago(0) }) },
    );
    expect(podStatusCells(deleting, NOW).status).to.equal('Terminating');
    const finished = pod({ phase: 'Succeeded' }, { metadata: meta('web-1', { deletionTimestamp: ago(0) }) });
    expect(podStatusCells(finished, NOW).status).to.equal('Succeeded');
  });

  it('prints Init:i/n while init containers run', () => {
    const p = pod({
      phase: 'Pending',
      initContainerStatuses: [containerStatus({ name: 'init', ready: false, state: { running: {} } })],
    });
    p.spec.initContainers = [{ name: 'init' }, { name: 'init2' }];
    expect(podStatusCells(p, NOW).status).to.equal('Init:0/2');
  });

  it('fills every column, wide ones with <none> where unset, and marks succeeded pods Completed', () => {
    const printer = TABLE_PRINTERS['Pod']!;
    const p = pod({ phase: 'Succeeded', podIPs: [{ ip: '10.1.0.5' }] });
    const row = printer.row(p, NOW);
    expect(row.cells).to.deep.equal([
      'web-1',
      '0/1',
      'Succeeded',
      '0',
      '60m',
      '10.1.0.5',
      'node-a',
      '<none>',
      '<none>',
    ]);
    expect(row.conditions?.[0]).to.include({ type: 'Completed', status: 'True', reason: 'Succeeded' });
    expect(printer.columns.map((c) => c.name)).to.deep.equal([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(printer.columns.map((c) => c.priority)).to.deep.equal([0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });
});

describe('node printer', () => {
  const node = (ready: 'True' | 'False' | undefined, unschedulable = false): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', labels: { 'node-role.kubernetes.io/control-plane': '' } },
    spec: { unschedulable },
    status: {
      conditions: ready ? [{ type: 'Ready', status: ready }] : [],
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
      nodeInfo: { kubeletVersion: 'v1.32.0' },
    },
  });

  it('prints Ready, NotReady or Unknown from the Ready condition', () => {
    expect(nodeStatus(node('True'))).to.equal('Ready');
    expect(nodeStatus(node('False'))).to.equal('NotReady');
    expect(nodeStatus(node(undefined))).to.equal('Unknown');
  });

  it('appends SchedulingDisabled to a cordoned node', () => {
    expect(nodeStatus(node('True', true))).to.equal('Ready,SchedulingDisabled');
  });

  it('prints roles from labels and <unknown> for missing node info in wide columns', () => {
    const row = TABLE_PRINTERS['Node']!.row(node('True'), NOW);
    expect(row.cells).to.deep.equal([
      'node-a',
      'Ready',
      'control-plane',
      '<unknown>',
      'v1.32.0',
      '172.18.0.2',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
  });
});

describe('service printer', () => {
  const svc = (spec: Partial<Service['spec']>, status?: Service['status']): Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('web'),
    spec: { clusterIPs: ['10.96.0.10'], ...spec },
    ...(status ? { status } : {}),
  });

  it('prints ports as port/protocol, with the node port as port:nodePort/protocol', () => {
    expect(servicePorts(svc({ ports: [{ port: 80, protocol: 'TCP' }] }))).to.equal('80/TCP');
    expect(
      servicePorts(
        svc({
          type: 'NodePort',
          ports: [
            { port: 80, nodePort: 30080, protocol: 'TCP' },
            { port: 53, protocol: 'UDP' },
          ],
        }),
      ),
    ).to.equal('80:30080/TCP,53/UDP');
    expect(servicePorts(svc({ ports: [] }))).to.equal('<none>');
  });

  it('prints <none> as the external IP of ClusterIP and NodePort services without externalIPs', () => {
    expect(serviceExternalIP(svc({ type: 'ClusterIP' }))).to.equal('<none>');
    expect(serviceExternalIP(svc({ type: 'NodePort' }))).to.equal('<none>');
    expect(serviceExternalIP(svc({ type: 'ClusterIP', externalIPs: ['1.2.3.4'] }))).to.equal('1.2.3.4');
  });

  it('prints <pending> for a LoadBalancer without ingress, then its sorted ingress IPs and hostnames', () => {
    expect(serviceExternalIP(svc({ type: 'LoadBalancer' }))).to.equal('<pending>');
    const ready = svc(
      { type: 'LoadBalancer' },
      {
        loadBalancer: {
          ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.1' }],
        },
      },
    );
    expect(serviceExternalIP(ready)).to.equal('203.0.113.1,203.0.113.9,lb.example.com');
  });

  it('prints the whole row with the selector in the wide column', () => {
    const row = TABLE_PRINTERS['Service']!.row(
      svc({
        type: 'NodePort',
        ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
        selector: { app: 'web' },
      }),
      NOW,
    );
    expect(row.cells).to.deep.equal([
      'web',
      'NodePort',
      '10.96.0.10',
      '<none>',
      '80:30080/TCP',
      '60m',
      'app=web',
    ]);
  });
});

describe('endpoints printer', () => {
  it('lists up to three ip:port pairs and counts the rest', () => {
    const ep: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('web'),
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }],
          ports: [{ port: 80 }],
        },
      ],
    };
    expect(formatEndpoints(ep)).to.equal('10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
    expect(formatEndpoints({ ...ep, subsets: [] })).to.equal('<none>');
  });
});

describe('deployment printer', () => {
  const deployment = (replicas: number | undefined, ready: number | undefined): Deployment => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('web'),
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }],
      },
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.27' },
            { name: 'log', image: 'busybox' },
          ],
        },
      },
    },
    status: { readyReplicas: ready, updatedReplicas: 3, availableReplicas: 2 },
  });

  it('prints Ready as readyReplicas/replicas, treating unset counts as zero', () => {
    expect(TABLE_PRINTERS['Deployment']!.row(deployment(3, 2), NOW).cells[1]).to.equal('2/3');
    expect(TABLE_PRINTERS['Deployment']!.row(deployment(3, undefined), NOW).cells[1]).to.equal('0/3');
  });

  it('prints up-to-date and available counts as integers and the template and selector in wide columns', () => {
    expect(TABLE_PRINTERS['Deployment']!.row(deployment(3, 2), NOW).cells).to.deep.equal([
      'web',
      '2/3',
      3,
      2,
      '60m',
      'app,log',
      'nginx:1.27,busybox',
      'app=web,tier in (be,fe)',
    ]);
  });
});

describe('other printers', () => {
  it('prints a resource quota as used/hard pairs, limits apart from requests', () => {
    const cells = resourceQuotaCells({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('quota'),
      status: {
        hard: { pods: '10', 'limits.cpu': '2', cpu: '1' },
        used: { pods: '1', 'limits.cpu': '500m' },
      },
    });
    expect(cells).to.deep.equal({ request: 'cpu: 0/1, pods: 1/10', limit: 'limits.cpu: 500m/2' });
  });

  it('prints an event with its object as kind/name', () => {
    const row = TABLE_PRINTERS['Event']!.row(
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: meta('web-1.17a'),
        involvedObject: { kind: 'Pod', name: 'web-1' },
        reason: 'Pulled',
        message: 'Container image pulled ',
        type: 'Normal',
        lastTimestamp: ago(30_000),
        source: { component: 'kubelet', host: 'node-a' },
      },
      NOW,
    );
    expect(row.cells).to.deep.equal([
      '30s',
      'Normal',
      'Pulled',
      'pod/web-1',
      '',
      'kubelet, node-a',
      'Container image pulled',
      '<unknown>',
      1,
      'web-1.17a',
    ]);
  });

  it('prints a binding role as Kind/name and its subjects by kind in wide columns', () => {
    const row = TABLE_PRINTERS['RoleBinding']!.row(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta('viewers'),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'User', name: 'alice' },
          { kind: 'Group', name: 'devs' },
          { kind: 'ServiceAccount', name: 'ci', namespace: 'default' },
          { kind: 'User', name: 'bob' },
        ],
      },
      NOW,
    );
    expect(row.cells).to.deep.equal([
      'viewers',
      'ClusterRole/view',
      '60m',
      'alice, bob',
      'devs',
      'default/ci',
    ]);
  });

  it('prints roles with the default convertor columns: Name and an RFC 3339 Created At', () => {
    const printer = printerFor('ClusterRole');
    expect(printer.columns.map((c) => [c.name, c.type])).to.deep.equal([
      ['Name', 'string'],
      ['Created At', 'date'],
    ]);
    const row = printer.row(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'view', creationTimestamp: '2024-05-06T07:08:09Z' },
      },
      NOW,
    );
    expect(row.cells).to.deep.equal(['view', '2024-05-06T07:08:09Z']);
  });

  it('falls back to Name and Age, with Created At for wide output, for kinds without a printer', () => {
    expect(printerFor('Widget')).to.equal(DEFAULT_PRINTER);
    expect(DEFAULT_PRINTER.columns.map((c) => [c.name, c.priority])).to.deep.equal([
      ['Name', 0],
      ['Age', 0],
      ['Created At', 1],
    ]);
  });

  it('prints a PodDisruptionBudget as upstream: N/A for the bound not set, allowed disruptions as an integer', () => {
    const printer = TABLE_PRINTERS['PodDisruptionBudget']!;
    expect(printer.columns.map((c) => [c.name, c.type])).to.deep.equal([
      ['Name', 'string'],
      ['Min Available', 'string'],
      ['Max Unavailable', 'string'],
      ['Allowed Disruptions', 'integer'],
      ['Age', 'string'],
    ]);
    const pdb = (spec: object, disruptionsAllowed?: number) => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('web'),
      spec,
      ...(disruptionsAllowed === undefined
        ? {}
        : { status: { disruptionsAllowed, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 } }),
    });
    expect(printer.row(pdb({ minAvailable: 2 }, 1), NOW).cells).to.deep.equal(['web', '2', 'N/A', 1, '60m']);
    expect(printer.row(pdb({ maxUnavailable: '25%' }), NOW).cells).to.deep.equal([
      'web',
      'N/A',
      '25%',
      0,
      '60m',
    ]);
  });

  it('gives every printer a name-formatted column and one cell per column for a bare object', () => {
    for (const [kind, printer] of Object.entries(TABLE_PRINTERS)) {
      expect(
        printer.columns.some((c) => c.format === 'name'),
        kind,
      ).to.equal(true);
      const cells = printer.row({ apiVersion: 'v1', kind, metadata: { name: 'x' } }, NOW).cells;
      expect(cells, kind).to.have.length(printer.columns.length);
    }
  });
});

describe('HorizontalPodAutoscaler table', () => {
  const hpa = (metrics: object[], currentMetrics?: object[], minReplicas?: number): KubeObject =>
    ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('web'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas,
        maxReplicas: 5,
        metrics,
      },
      status: { currentReplicas: 2, desiredReplicas: 2, currentMetrics },
    }) as KubeObject;
  const cpu = (target: object) => ({ type: 'Resource', resource: { name: 'cpu', target } });

  it('prints kubectl columns: reference, targets as current/target per metric, pod bounds and replicas', () => {
    const printer = printerFor('HorizontalPodAutoscaler');
    expect(printer.columns.map((c) => c.name)).to.deep.equal([
      'Name',
      'Reference',
      'Targets',
      'MinPods',
      'MaxPods',
      'Replicas',
      'Age',
    ]);
    const measured = hpa(
      [cpu({ type: 'Utilization', averageUtilization: 50 })],
      [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 12, averageValue: '12m' } },
        },
      ],
      1,
    );
    expect(printer.row(measured, NOW).cells).to.deep.equal([
      'web',
      'Deployment/web',
      'cpu: 12%/50%',
      '1',
      5,
      2,
      '60m',
    ]);
  });

  it('prints <unknown> before the first measurement, average values, <unset> and "+ N more..."', () => {
    const printer = printerFor('HorizontalPodAutoscaler');
    const cells = (obj: KubeObject) => printer.row(obj, NOW).cells;
    expect(cells(hpa([cpu({ type: 'Utilization', averageUtilization: 50 })]))[2]).to.equal(
      'cpu: <unknown>/50%',
    );
    expect(cells(hpa([cpu({ type: 'AverageValue', averageValue: '250m' })]))[2]).to.equal(
      'cpu: <unknown>/250m',
    );
    expect(cells(hpa([]))[2]).to.equal('<none>');
    expect(cells(hpa([]))[3]).to.equal('<unset>');
    const three = [1, 2, 3].map((n) => cpu({ type: 'Utilization', averageUtilization: n }));
    expect(cells(hpa(three))[2]).to.equal('cpu: <unknown>/1%, cpu: <unknown>/2% + 1 more...');
  });
});

describe('NetworkPolicy table', () => {
  const netpol = (podSelector: object): KubeObject =>
    ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('web-ingress'),
      spec: { podSelector, policyTypes: ['Ingress'] },
    }) as KubeObject;

  it('prints the pod selector as kubectl does, <none> for one that selects every pod', () => {
    const printer = printerFor('NetworkPolicy');
    expect(printer.columns.map((c) => c.name)).to.deep.equal(['Name', 'Pod-Selector', 'Age']);
    expect(printer.row(netpol({ matchLabels: { tier: 'front', app: 'web' } }), NOW).cells).to.deep.equal([
      'web-ingress',
      'app=web,tier=front',
      '60m',
    ]);
    const expressions = netpol({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'canary'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(printer.row(expressions, NOW).cells[1]).to.equal('app=web,env in (canary,prod),!legacy');
    expect(printer.row(netpol({}), NOW).cells[1]).to.equal('<none>');
  });
});
