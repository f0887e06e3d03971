import { expect } from 'chai';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crucible } from '../../testing/crucible-cli.js';
import type { History } from '../history/history.js';
import { dockerEngineAnswers } from '../cluster/index.js';

const MANIFESTS = fileURLToPath(new URL('../../scenarios/manifests/', import.meta.url));

/**
 * Namespace isolation is checked from inside pods too, through the real CLI on docker: with the
 * known bug of pods that run as root beside every credential of the cluster, the in-pod probes get
 * through and the check fails with them as evidence; without it, every attempt is refused.
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

  it('passes when pods are confined, every in-pod attempt refused', async () => {
    const { code, stdout, history } = await run(false);
    expect(code, stdout).to.equal(0);
    const fromPods = history.isolation.filter((p) => p.from === 'pod');
    expect(fromPods.length, 'in-pod probes made').to.be.greaterThan(10);
    expect(fromPods.filter((p) => !p.held)).to.deep.equal([]);
    expect(fromPods.map((p) => p.resource).join('\n'))
      .to.include('toxiproxy API')
      .and.include('etcd-0 (https)')
      .and.include('/etc/crucible');
  });
});
