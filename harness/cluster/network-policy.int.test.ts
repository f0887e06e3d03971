import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kubectl } from '../../testing/kubectl.js';
import { crucible, withHome } from '../../testing/crucible-cli.js';
import { pollUntil } from '../support/poll-until.js';
import { openCluster } from './open-cluster.js';
import type { KubeList, Pod } from '../../orchestrator/api/types.js';

/** One attempt of the probe program (orchestrator/workloads/isolation-probe.ts). */
interface Attempt {
  kind: string;
  target: string;
  outcome: 'denied' | 'leaked' | 'missing';
  detail: string;
}

const NODE_PORT = 30090;

/**
 * NetworkPolicy enforced on real nodes (the process provider, whose nodes share the host's network
 * namespace, so one node's rules must not touch another's pods): pods of two namespaces connect to
 * each other's pods and Service node port from inside a pod, before and after policies, and the
 * chains are gone after `down`.
 */
describe('NetworkPolicy enforcement (process provider, real kubelets and kube-proxies)', function () {
  this.timeout(240_000);
  let home: string;
  let kubectl: Kubectl;
  const name = `np${process.pid}`;

  before(async function () {
    // Pods get users of their own, and kube-proxy changes iptables, only as root.
    if (process.getuid?.() !== 0) this.skip();
    home = await mkdtemp(join(tmpdir(), 'crucible-netpol-'));
    const up = await crucible(home, ['up', '--provider', 'process', '--workers', '2', '--name', name]);
    expect(up.code, up.stderr).to.equal(0);
    const cluster = await withHome(home, () => openCluster(name));
    kubectl = Kubectl.withKubeconfig(cluster.credentials.kubeconfig);
    await kubectl.ok(['apply', '--validate=false', '-f', '-'], apps());
    await kubectl.ok(['rollout', 'status', '-n', 'team-a', 'deployment/web', '--timeout=90s']);
    await kubectl.ok(['rollout', 'status', '-n', 'team-b', 'deployment/web', '--timeout=90s']);
  });
  after(async () => {
    if (!home) return;
    await crucible(home, ['down', name]);
    await rm(home, { recursive: true, force: true });
  });

  it('without a policy, pods reach other namespaces’ pods and node ports', async () => {
    const attempts = await probe('team-a', await peersOf('team-b'));
    expect(attempts.map((a) => [a.target, a.outcome])).to.deep.equal(
      attempts.map((a) => [a.target, 'leaked']),
    );
    expect(attempts.length).to.be.greaterThan(2);
  });

  it('a default-deny ingress policy closes a namespace’s pods and Service to other namespaces, not to its own pods', async () => {
    await kubectl.ok(['apply', '--validate=false', '-f', '-'], allowSameNamespace('team-b'));
    const peers = await peersOf('team-b');
    await pollUntil(
      async () => (await probe('team-a', peers)).every((a) => a.outcome === 'denied'),
      30_000,
      'team-a refused by team-b',
    );
    const fromA = await probe('team-a', peers);
    expect(fromA.map((a) => a.outcome)).to.deep.equal(fromA.map(() => 'denied'));
    const fromB = await probe('team-b', peers);
    expect(
      fromB.map((a) => a.outcome),
      'team-b’s own pods',
    ).to.deep.equal(fromB.map(() => 'leaked'));
    // Only team-b is isolated: its pods still reach team-a.
    const toA = await probe('team-b', await peersOf('team-a'));
    expect(toA.map((a) => a.outcome)).to.deep.equal(toA.map(() => 'leaked'));
  });

  it('an egress policy lets a namespace’s pods reach only what it names', async () => {
    await kubectl.ok(
      ['apply', '--validate=false', '-f', '-'],
      JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'egress-to-team-b-only', namespace: 'team-a' },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-b' } } }] },
          ],
        },
      }),
    );
    await kubectl.ok(['delete', 'networkpolicy', '-n', 'team-b', 'allow-same-namespace']);
    const own = await peersOf('team-a');
    await pollUntil(
      async () => (await probe('team-a', own)).every((a) => a.outcome === 'denied'),
      30_000,
      'team-a’s egress closed to its own namespace',
    );
    const toB = await probe('team-a', await peersOf('team-b'));
    expect(toB.map((a) => a.outcome)).to.deep.equal(toB.map(() => 'leaked'));
  });

  it('takes every chain away on down', async () => {
    const save = async () => (await promisify(execFile)('iptables-save')).stdout;
    expect(await save()).to.match(/CRUCIBLE-NP-/);
    const down = await crucible(home, ['down', name]);
    expect(down.code, down.stderr).to.equal(0);
    expect(await save()).not.to.match(/CRUCIBLE-NPN?-/);
  });

  /** `name=host:port` of every port of the namespace's pods, and of its Service's node port. */
  async function peersOf(namespace: string): Promise<string[]> {
    const pods = JSON.parse(
      await kubectl.ok(['get', 'pods', '-n', namespace, '-l', 'app=web', '-o', 'json']),
    ) as KubeList<Pod>;
    const peers = pods.items.flatMap((p) =>
      (p.status?.portMappings ?? []).map((m) => `pod ${p.metadata.name}=${p.status!.podIP}:${m.hostPort}`),
    );
    const hostIp = pods.items[0]!.status!.hostIP!;
    return [...peers, `service=${hostIp}:${namespace === 'team-a' ? NODE_PORT : NODE_PORT + 1}`];
  }

  /** Runs a probe pod in `namespace` that connects to `peers`, and reads what it found. */
  async function probe(namespace: string, peers: string[]): Promise<Attempt[]> {
    const pod = `probe-${Math.random().toString(36).slice(2, 8)}`;
    await kubectl.ok(
      ['apply', '--validate=false', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod, namespace },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'probe',
              image: 'crucible/isolation-probe',
              env: [{ name: 'PROBE_PEERS', value: peers.join(',') }],
            },
          ],
        },
      }),
    );
    await pollUntil(
      async () =>
        (await kubectl.ok(['get', 'pod', '-n', namespace, pod, '-o', 'jsonpath={.status.phase}'])) ===
        'Succeeded',
      60_000,
      `probe pod ${namespace}/${pod} finished`,
    );
    const log = await kubectl.ok(['logs', '-n', namespace, pod]);
    await kubectl.ok(['delete', 'pod', '-n', namespace, pod, '--wait=false']);
    return log
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Attempt)
      .filter((a) => a.kind === 'peer');
  }
});

function apps(): string {
  const items = ['team-a', 'team-b'].flatMap((namespace, i) => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'echo',
                image: 'crucible/echo',
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace },
      spec: {
        type: 'NodePort',
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: NODE_PORT + i }],
      },
    },
  ]);
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

function allowSameNamespace(namespace: string): string {
  return JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-same-namespace', namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
  });
}
