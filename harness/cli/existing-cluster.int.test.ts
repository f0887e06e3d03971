import { expect } from 'chai';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crucible } from '../../testing/crucible-cli.js';
import { Kubectl } from '../../testing/kubectl.js';
import { nightlyIt } from '../../testing/nightly.js';
import { dockerEngineAnswers } from '../cluster/index.js';
import { pollUntil } from '../support/poll-until.js';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const CONTEXT = 'crucible-kc-target';

/** A namespace of somebody else's on the cluster: objects crucible must leave exactly as they are. */
const BYSTANDER = `
apiVersion: v1
kind: Namespace
metadata: { name: bystander, labels: { team: other } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: bystander }
data: { mode: production }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: robot, namespace: bystander }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: robot-view, namespace: bystander }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects: [{ kind: ServiceAccount, name: robot, namespace: bystander }]
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: bystander }
spec: { ports: [{ port: 80 }], selector: { app: api } }
`;

/**
 * crucible on an existing cluster, reached only through a kubeconfig: the cluster is a docker
 * cluster that `crucible up` booted under another CRUCIBLE_HOME, and every run here has a fresh,
 * empty home of its own, so nothing of crucible's records of that cluster can be read.
 */
/** The histories of the runs under a scenario's `runs` folder. */
async function readHistories(runs: string): Promise<{ events: Record<string, unknown>[] }[]> {
  return Promise.all(
    (await readdir(runs)).map(async (r) => JSON.parse(await readFile(join(runs, r, 'history.json'), 'utf8'))),
  );
}

describe('crucible run --provider kubeconfig: an existing cluster, through its kubeconfig alone', function () {
  this.timeout(600_000);
  let owner: string;
  let kubeconfig: string;
  let kubectl: Kubectl;
  let bystanderBefore: string;

  const bystander = async () =>
    (await kubectl.ok(['get', 'namespace', 'bystander', '-o', 'json'])) +
    (await kubectl.ok([
      'get',
      'configmaps,serviceaccounts,rolebindings,services',
      '-n',
      'bystander',
      '-o',
      'json',
    ]));

  /** `crucible run` against the cluster with a home of its own, empty. */
  async function runOnExisting(args: string[]) {
    const home = await mkdtemp(join(tmpdir(), 'crucible-kc-run-'));
    try {
      const run = await crucible(home, [
        'run',
        '--provider',
        'kubeconfig',
        '--kubeconfig',
        kubeconfig,
        '--context',
        CONTEXT,
        ...(args.includes('--out') ? [] : ['--out', join(home, 'out')]),
        ...args,
      ]);
      // The run kept nothing of the cluster's in its home: no cluster record was written or read.
      expect(await readdir(home), 'what the run left in its CRUCIBLE_HOME').to.not.include('clusters');
      return run;
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }

  before(async function () {
    if (!(await dockerEngineAnswers())) this.skip();
    owner = await mkdtemp(join(tmpdir(), 'crucible-kc-owner-'));
    const up = await crucible(owner, ['up', '--provider', 'docker', '--name', 'kc-target', '--workers', '3']);
    expect(up.code, up.stderr).to.equal(0);
    kubeconfig = join(await mkdtemp(join(tmpdir(), 'crucible-kc-')), 'kubeconfig');
    await copyFile(join(owner, 'clusters', 'kc-target', 'kubeconfig'), kubeconfig);
    kubectl = Kubectl.withKubeconfig(kubeconfig);
    await kubectl.ok(['apply', '--validate=false', '-f', '-'], BYSTANDER);
    // What the controllers add to every new namespace is part of it before any run starts.
    await pollUntil(
      async () =>
        (
          await kubectl.run([
            'get',
            'serviceaccount/default',
            'configmap/kube-root-ca.crt',
            '-n',
            'bystander',
          ])
        ).code === 0,
      30_000,
      'the bystander namespace to get its default ServiceAccount and kube-root-ca.crt',
    );
    bystanderBefore = await bystander();
  });

  after(async () => {
    if (!owner) return;
    await crucible(owner, ['down', 'kc-target']);
    await rm(owner, { recursive: true, force: true });
  });

  it('refuses to act until the context is named, and names what is missing', async () => {
    const home = await mkdtemp(join(tmpdir(), 'crucible-kc-run-'));
    const run = await crucible(home, [
      'run',
      '--provider',
      'kubeconfig',
      '--kubeconfig',
      kubeconfig,
      join(SCENARIOS, 'chaos', 'node-loss.yaml'),
    ]);
    await rm(home, { recursive: true, force: true });
    expect(run.code).to.not.equal(0);
    expect(run.stderr).to.include('--context NAME');
  });

  it('lists on --dry-run what it would touch, and touches nothing', async () => {
    const run = await runOnExisting(['--dry-run', join(SCENARIOS, 'chaos', 'tenant-isolation.yaml')]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`on context ${CONTEXT}`);
    expect(run.stdout).to.include('create namespaces tenant-a, tenant-b, crucible-<run>');
    expect(run.stdout).to.include(
      'apply scenarios/manifests/echo-tenant-a.yaml into tenant-a: Deployment/echo, Service/echo',
    );
    expect(run.stdout).to.include('create ServiceAccount tenant-a/tenant-a');
    expect(await kubectl.ok(['get', 'namespaces', '-l', 'crucible.dev/run', '-o', 'name'])).to.equal('');
  });

  it('skips with the reason what needs crucible’s own control plane, and runs a node-loss through the matched container: its effect shows, and it heals', async () => {
    const out = await mkdtemp(join(tmpdir(), 'crucible-kc-out-'));
    const run = await runOnExisting([
      '--seed',
      '1',
      '--out',
      out,
      join(SCENARIOS, 'chaos', 'node-loss.yaml'),
      join(SCENARIOS, 'chaos', 'control-plane-outage.yaml'),
    ]);
    expect(run.stderr).to.include(
      "skipped control-plane-outage-under-load cannot run on the kubeconfig provider's cluster: fault outage (control-plane-outage) needs the control plane's components run by crucible",
    );
    expect(run.stderr).to.include('matched to Docker containers: worker-1, worker-2, worker-3');
    // The data plane held and the workload healed; how soon the Node is Ready again is the
    // cluster's own timing (convergence), which the chaos suite judges on crucible's clusters.
    expect(run.stdout, run.stderr).to.match(/✔ availability/);
    expect(run.stdout).to.match(/✔ self-heal/);
    const [history] = await readHistories(join(out, 'node-loss-under-load', 'runs'));
    await rm(out, { recursive: true, force: true });
    const events = history!.events;
    const inject = events.find((e) => e.type === 'fault-inject');
    const heal = events.find((e) => e.type === 'fault-heal');
    expect(inject, 'the fault went in').to.include({ ok: true });
    expect(heal, 'and was healed').to.include({ ok: true });
    const lost = (inject as { fault: { targets: string[] } }).fault.targets[0];
    const conditions = events
      .filter((e) => e.type === 'node-condition' && e.node === lost)
      .map((e) => e.ready);
    expect(conditions, `${lost}'s Ready condition through the run`).to.include('Unknown');
    expect(conditions.at(-1)).to.equal('True');
    const nodes = await kubectl.ok(['get', 'nodes', '--no-headers']);
    expect(nodes.match(/ Ready /g), nodes).to.have.length(3);
  });

  it('runs a conformance behaviour with tenants as ServiceAccounts, and removes its namespaces after', async () => {
    const run = await runOnExisting([join(SCENARIOS, 'conformance', 'rbac-namespace-isolation.yaml')]);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(await kubectl.ok(['get', 'namespaces', '-l', 'crucible.dev/run', '-o', 'name'])).to.equal('');
  });

  it('drains a node through the Eviction API, and a PodDisruptionBudget that allows nothing holds its pods', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-kc-drain-'));
    await writeFile(
      join(dir, 'app.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: web }',
        'spec:',
        '  replicas: 2',
        '  selector: { matchLabels: { app: web } }',
        '  template:',
        '    metadata: { labels: { app: web } }',
        '    spec: { containers: [{ name: web, image: crucible/echo }] }',
        '---',
        'apiVersion: policy/v1',
        'kind: PodDisruptionBudget',
        'metadata: { name: web }',
        'spec: { minAvailable: 2, selector: { matchLabels: { app: web } } }',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'drain.yaml'),
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Scenario',
        'name: drain-held',
        'namespaces: [drain]',
        'workloads: [{ manifests: [app.yaml] }]',
        'steadyState: { deploymentsAvailable: true }',
        'faults:',
        '  schedule:',
        '    - { id: drain, type: node-drain, target: all, at: 1s, for: 1s, options: { timeoutMs: 4000 } }',
        'steps:',
        "  - kubectl: [get, pods, -n, drain, '-o=jsonpath={.items[*].metadata.uid}']",
        '    capture: before',
        '  - sleep: 8s',
        '  - id: held',
        "    kubectl: [get, pods, -n, drain, '-o=jsonpath={.items[*].metadata.uid}']",
        '    expect: { stdout: { equals: "${before}" } }',
        'checks:',
        '  - { name: pods held, type: steps }',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const run = await runOnExisting(['--out', out, join(dir, 'drain.yaml')]);
    const [history] = await readHistories(join(out, 'drain-held', 'runs'));
    await rm(dir, { recursive: true, force: true });
    expect(run.stdout, run.stderr).to.match(/✔ pods held/);
    const inject = history!.events.find((e) => e.type === 'fault-inject') as { ok: boolean; error?: string };
    expect(inject.ok, 'a drain the budget forbids does not complete').to.equal(false);
    expect(inject.error).to.include("Cannot evict pod as it would violate the pod's disruption budget");
    // The heal uncordoned every node the drain had cordoned.
    expect(await kubectl.ok(['get', 'nodes', '-o', 'jsonpath={.items[*].spec.unschedulable}'])).to.equal('');
  });

  for (const suite of ['conformance', 'chaos'])
    nightlyIt(
      `runs the quick ${suite} subset: what the cluster can run passes, the rest is skipped with its reason`,
      async () => {
        const run = await runOnExisting(['--seed', '1', '--tag', 'quick', join(SCENARIOS, suite)]);
        expect(run.code, run.stdout + run.stderr).to.equal(0);
        expect(run.stdout).to.not.match(/^[✘?] /m);
        for (const skipped of run.stderr.split('\n').filter((l) => l.startsWith('skipped ')))
          expect(skipped).to.match(/cannot run on the kubeconfig provider's cluster: .+/);
      },
    );

  it('leaves the namespaces it did not create exactly as they were', async () => {
    expect(await bystander()).to.equal(bystanderBefore);
  });

  it('removes what a crashed run left, by its stopped heartbeat, and keeps what a run kept', async () => {
    const stale = new Date(Date.now() - 10 * 60_000).toISOString();
    const leftover = (name: string, annotations: Record<string, string>) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name,
          labels: { 'crucible.dev/run': 'crashed', 'app.kubernetes.io/managed-by': 'crucible' },
          annotations: { 'crucible.dev/heartbeat': stale, ...annotations },
        },
      });
    await kubectl.ok(['apply', '--validate=false', '-f', '-'], leftover('crashed-app', {}));
    await kubectl.ok(
      ['apply', '--validate=false', '-f', '-'],
      leftover('kept-app', { 'crucible.dev/kept': stale }),
    );
    const dir = await mkdtemp(join(tmpdir(), 'crucible-kc-'));
    const scenario = join(dir, 'tiny.yaml');
    await writeFile(
      scenario,
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Scenario',
        'name: tiny',
        'cluster: { workers: [{ count: 1 }] }',
        'namespaces: [tiny]',
        'steps:',
        '  - kubectl: [create, configmap, c, -n, tiny]',
        'checks:',
        '  - { name: steps, type: steps }',
      ].join('\n'),
    );
    const dry = await runOnExisting(['--dry-run', scenario]);
    expect(dry.stdout).to.include('first remove what crashed runs left: namespaces crashed-app');
    const run = await runOnExisting([scenario]);
    await rm(dir, { recursive: true, force: true });
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.stderr).to.include('removing 1 namespaces that crashed runs left (crashed): crashed-app');
    const left = await kubectl.run(['get', 'namespace', 'crashed-app', '-o', 'jsonpath={.status.phase}']);
    expect(left.code === 1 || left.stdout === 'Terminating', left.stdout + left.stderr).to.equal(true);
    expect(await kubectl.ok(['get', 'namespace', 'kept-app', '-o', 'name'])).to.equal('namespace/kept-app\n');
    await kubectl.ok(['delete', 'namespace', 'kept-app', '--wait=false']);
  });
});
