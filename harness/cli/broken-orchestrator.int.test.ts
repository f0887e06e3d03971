import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Verdict } from '../checks/index.js';
import { labelledProcesses, ProcessProvider } from '../cluster/index.js';
import { runExperiment } from '../experiment/experiment.js';
import { parseScenario } from '../scenario/scenario-spec.js';

const MANIFESTS = fileURLToPath(new URL('../../scenarios/manifests/', import.meta.url));

/**
 * The checkers must catch a broken orchestrator: each scenario here runs against a cluster with
 * one component deliberately broken (through the spec's extraArgs), and the check that guards
 * what broke must fail, with evidence that points at the cause.
 */
describe('checks against a deliberately broken orchestrator (process provider)', function () {
  this.timeout(180_000);
  let dir: string;
  let home: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-broken-'));
    home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
    process.env.CRUCIBLE_HOME = home;
  });
  after(async () => {
    delete process.env.CRUCIBLE_HOME;
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
    expect(await labelledProcesses()).to.deep.equal([]);
  });

  async function run(name: string, yaml: string[]): Promise<Verdict[]> {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, yaml.join('\n'));
    const scenario = await parseScenario(yaml.join('\n'), file, { seed: 1 });
    const result = await runExperiment(scenario, {
      provider: new ProcessProvider(),
      seed: 1,
      keep: false,
      commandLine: ['test'],
      progress: () => undefined,
      signal: new AbortController().signal,
    });
    expect(result.error, result.error?.message).to.equal(undefined);
    return result.verdicts;
  }

  it('RBAC allowing everything: namespace isolation fails, naming the cross-tenant attempts that got through', async () => {
    const verdicts = await run('rbac-off', [
      'apiVersion: crucible.dev/v1alpha1',
      'kind: Scenario',
      'name: rbac-off',
      'cluster:',
      '  workers: [{count: 1}]',
      "  extraArgs: {apiserver: ['--authorization-mode=AlwaysAllow']}",
      'tenants: [{name: tenant-a}, {name: tenant-b}]',
      'workloads:',
      `  - {tenant: tenant-a, manifests: [${MANIFESTS}echo-tenant-a.yaml]}`,
      `  - {tenant: tenant-b, manifests: [${MANIFESTS}echo-tenant-b.yaml]}`,
      'faults:',
      '  schedule: [{id: kill-a, type: pod-kill, target: one, options: {namespace: tenant-a}, at: 1s, for: 2s}]',
      'checks: [{name: isolation, type: namespace-isolation, window: whole-run}]',
    ]);
    const isolation = verdicts.find((v) => v.check === 'isolation')!;
    expect(isolation.outcome).to.equal('fail');
    expect(isolation.measured).to.be.greaterThan(0);
    expect(isolation.evidence.map((e) => e.message).join('\n')).to.match(
      /tenant-a.*tenant-b|tenant-b.*tenant-a/,
    );
  });

  it('the node lifecycle controller off: a lost worker’s pod stays “ready” in the API; self-heal fails from the kubelets’ truth', async () => {
    const verdicts = await run('no-node-lifecycle', [
      'apiVersion: crucible.dev/v1alpha1',
      'kind: Scenario',
      'name: no-node-lifecycle',
      'cluster:',
      '  workers: [{count: 2}]',
      "  extraArgs: {controller-manager: ['--controllers=*,-nodelifecycle']}",
      `workloads: [{manifests: [${MANIFESTS}echo.yaml]}]`,
      'faults:',
      '  schedule: [{id: lose-worker-2, type: node-loss, target: worker-2, at: 1s, for: 8s}]',
      'checks: [{name: self-heal, type: self-heal, window: {during: lose-worker-2}, thresholds: {maxMs: 5000}}]',
      'timeouts: {recovery: 10s}',
    ]);
    const selfHeal = verdicts.find((v) => v.check === 'self-heal')!;
    expect(selfHeal.outcome).to.equal('fail');
    expect(selfHeal.evidence.map((e) => e.message).join('\n')).to.include("the API's view was stale");
  });
});
