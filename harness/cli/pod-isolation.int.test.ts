import { expect } from 'chai';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crucible } from '../../testing/crucible-cli.js';
import { judge } from '../checks/index.js';
import type { History } from '../history/history.js';
import { dockerEngineAnswers } from '../cluster/index.js';

const MANIFESTS = fileURLToPath(new URL('../../scenarios/manifests/', import.meta.url));

/**
 * Namespace isolation is checked from inside pods too, through the real CLI on docker: with the
 * known bug of pods that run as root beside every credential of the cluster, the in-pod probes get
 * through and the check fails with them as evidence; without it, every attempt is refused. The
 * probe pods also connect to the other tenant's pods and Services: without a NetworkPolicy they
 * answer, and network-isolation, judged on the same history, fails with them as evidence.
 */
describe('namespace isolation from inside pods (real CLI, docker)', function () {
  this.timeout(300_000);
  let home: string;

  before(async function () {
    if (!(await dockerEngineAnswers(2000))) this.skip();
    home = await mkdtemp(join(tmpdir(), 'crucible-isolation-'));
  });
  after(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  // Two tests read the confined run's history: it runs once.
  let confined: ReturnType<typeof run> | undefined;
  const confinedRun = () => (confined ??= run(false));

  async function run(sabotage: boolean): Promise<{ code: number; stdout: string; history: History }> {
    const name = sabotage ? 'pods-see-credentials' : 'pods-confined';
    const file = join(home, `${name}.yaml`);
    await writeFile(
      file,
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Scenario',
        `name: ${name}`,
        'cluster:',
        '  workers: [{count: 1}]',
        ...(sabotage ? ['  sabotage: [pods-see-cluster-credentials]'] : []),
        'tenants: [{name: tenant-a}, {name: tenant-b}]',
        'workloads:',
        `  - {tenant: tenant-a, manifests: [${MANIFESTS}echo-tenant-a.yaml]}`,
        `  - {tenant: tenant-b, manifests: [${MANIFESTS}echo-tenant-b.yaml]}`,
        'checks: [{name: isolation, type: namespace-isolation, window: whole-run}]',
        // A sabotaged cluster runs only in a scenario that names the check that must catch it.
        ...(sabotage ? ['expect: {fails: isolation}'] : []),
      ].join('\n'),
    );
    const out = join(home, 'out');
    const ran = await crucible(home, ['run', '--provider', 'docker', '--seed', '1', '--out', out, file]);
    const runs = join(out, name, 'runs');
    const [only] = await readdir(runs);
    const history = JSON.parse(await readFile(join(runs, only!, 'history.json'), 'utf8')) as History;
    return { code: ran.code, stdout: ran.stdout + ran.stderr, history };
  }

  it('catches pods that run beside the cluster’s credentials (the isolation check fails, as the scenario expects), with what the pods read as evidence', async () => {
    const { code, stdout, history } = await run(true);
    // The isolation check failed, as expected: the known bug was caught, so the run passes.
    expect(code, stdout).to.equal(0);
    expect(stdout).to.include('caught 1 of 1 known bug');
    const leaked = history.isolation.filter((p) => p.from === 'pod' && !p.held);
    expect(leaked.map((p) => p.resource)).to.include.members([
      '/var/lib/crucible/cluster/credentials.json',
      '/var/lib/crucible/cluster/kubeconfig',
    ]);
    expect(stdout)
      .to.match(/✘ isolation/)
      .and.match(/A pod of tenant tenant-[ab] \(namespace tenant-[ab]\) could read /);
  });

  it('passes when pods are confined, every in-pod read and call refused', async () => {
    const { code, stdout, history } = await confinedRun();
    expect(code, stdout).to.equal(0);
    const fromPods = history.isolation.filter((p) => p.from === 'pod' && p.verb !== 'connect');
    expect(fromPods.length, 'in-pod probes made').to.be.greaterThan(10);
    expect(fromPods.filter((p) => !p.held)).to.deep.equal([]);
    expect(fromPods.map((p) => p.resource).join('\n'))
      .to.include('toxiproxy API')
      .and.include('etcd-0 (https)')
      .and.include('/etc/crucible');
  });

  it("records each probe pod's connections to the other tenant's pods and Service, which answer without a NetworkPolicy", async () => {
    const { history } = await confinedRun();
    const connects = history.isolation.filter((p) => p.from === 'pod' && p.verb === 'connect');
    const fromA = connects.filter((p) => p.tenant === 'tenant-a').map((p) => p.resource);
    // Two echo replicas on port 8080, and the NodePort Service on 30082.
    expect(
      fromA.filter((r) => /^pod tenant-b\/echo-[\w-]+:8080 [\d.]+:\d+$/.test(r)),
      fromA.join('\n'),
    ).to.have.length(2);
    expect(fromA.filter((r) => /^service tenant-b\/echo:80 [\d.]+:30082$/.test(r))).to.have.length(1);
    expect(
      connects
        .filter((p) => p.tenant === 'tenant-b')
        .map((p) => p.resource)
        .join('\n'),
    ).to.match(/^pod tenant-a\/echo-/m);
    // Namespaces alone do not isolate at the network level: every connection got an answer.
    expect(connects.filter((p) => p.held).map((p) => `${p.resource}: ${p.detail}`)).to.deep.equal([]);
    expect(connects[0]).to.include({ status: 200 });
    expect(connects[0]!.detail).to.match(/^got through from inside a pod: answered "HTTP\/1\.1 200/);
    const [verdict] = judge(history, [
      { name: 'network', type: 'network-isolation', window: 'whole-run', thresholds: {} },
    ]);
    expect(verdict).to.include({ outcome: 'fail', measured: connects.length });
    expect(verdict!.evidence[0]!.message).to.match(
      /^A pod of tenant tenant-[ab] \(namespace tenant-[ab]\) reached (pod|service) tenant-[ab]\/echo/,
    );
  });
});
