import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { crucible } from '../../testing/crucible-cli.js';
import { pollUntil } from '../support/poll-until.js';
import type { History } from '../history/history.js';
import { labelledProcesses } from '../cluster/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../reports/artifacts/', import.meta.url));
const QUICK = fileURLToPath(new URL('../../scenarios/quick/pod-kill.yaml', import.meta.url));

async function onlyHistory(out: string): Promise<History> {
  const runs = join(out, 'quick-pod-kill', 'runs');
  const [run] = await readdir(runs);
  return JSON.parse(await readFile(join(runs, run!, 'history.json'), 'utf8')) as History;
}

/**
 * Opens a real run's report in headless Chromium (Debian's), checks that the verdict table, the
 * charts and the shaded fault window are visible, and saves a screenshot for CI's artifacts.
 */
async function openReportInChromium(page: string): Promise<void> {
  if (!existsSync(CHROMIUM)) return;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
    await tab.goto(pathToFileURL(page).href);
    expect(await tab.locator('table.verdict-table tbody tr.verdict-row').count()).to.equal(3);
    expect(await tab.locator('table.verdict-table').isVisible()).to.equal(true);
    expect(await tab.locator('svg.timeline-chart').first().isVisible()).to.equal(true);
    expect(await tab.locator('svg rect.fault-window').first().isVisible()).to.equal(true);
    expect(await tab.locator('svg text.fault-label').first().textContent()).to.include('kill-a-pod');
    await mkdir(ARTIFACTS, { recursive: true });
    await tab.screenshot({ path: join(ARTIFACTS, 'quick-pod-kill-run.png'), fullPage: true });
  } finally {
    await browser.close();
  }
}

describe('crucible run (real CLI, process provider)', function () {
  this.timeout(180_000);
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-run-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('runs the quick scenario end to end: verdicts, history, report, JUnit, exit 0, nothing left', async () => {
    const out = join(home, 'out');
    const junit = join(home, 'junit.xml');
    const ran = await crucible(home, [
      'run',
      '--provider',
      'process',
      '--seed',
      '3',
      '--out',
      out,
      '--junit',
      junit,
      QUICK,
    ]);
    expect(ran.code, ran.stdout + ran.stderr).to.equal(0);
    expect(ran.stdout).to.match(/✔ quick-pod-kill/);
    const history = await onlyHistory(out);
    expect(history.metadata.aborted).to.equal(undefined);
    expect(history.metadata.phases.map((p) => p.name)).to.deep.equal([
      'boot',
      'workloads',
      'steady-state',
      'recorders',
      'faults',
      'heal',
      'recovery',
      'collect',
      'teardown',
    ]);
    const inject = history.events.find((e) => e.type === 'fault-inject');
    expect(inject && inject.type === 'fault-inject' && inject.fault.id).to.equal('kill-a-pod');
    expect(history.events.some((e) => e.type === 'fault-heal')).to.equal(true);
    expect(
      history.series.load.reduce((n, s) => n + s.ok, 0),
      'requests served',
    ).to.be.greaterThan(300);
    expect(history.groundTruth.length).to.be.greaterThan(0);
    expect(history.durability.writes.some((w) => w.acknowledged)).to.equal(true);
    expect(await readFile(junit, 'utf8'))
      .to.include('<testcase')
      .and.include('self-heal');
    expect(await labelledProcesses()).to.deep.equal([]);
    const again = await crucible(home, ['check', join(out, 'quick-pod-kill', 'history.json')]);
    expect(again.code, again.stdout).to.equal(0);
    expect(again.stdout).to.include('✔ availability');
    await openReportInChromium(join(out, 'quick-pod-kill', 'index.html'));
  });

  it('keeps a judged run judged when a reporter fails: the verdicts decide the exit code, the failure is said', async () => {
    const out = join(home, 'out');
    // A JUnit file under /proc cannot be written: the JUnit reporter fails at the end.
    const ran = await crucible(home, [
      'run',
      '--provider',
      'process',
      '--seed',
      '3',
      '--out',
      out,
      '--junit',
      '/proc/crucible-junit.xml',
      QUICK,
    ]);
    expect(ran.code, ran.stdout + ran.stderr).to.equal(0);
    expect(ran.stdout).to.match(/✔ quick-pod-kill/);
    expect(ran.stderr).to.match(/the junit reporter failed \(onEnd\): .*crucible-junit\.xml/);
    expect((await onlyHistory(out)).metadata.aborted).to.equal(undefined);
  });

  it('fails the steady-state check (exit 1) when a workload can never be ready, naming the pod and why, and keeps the evidence', async () => {
    const dir = join(home, 'never-ready');
    await mkdir(dir);
    await writeFile(
      join(dir, 'greedy.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: greedy}',
        'spec:',
        '  replicas: 1',
        '  selector: {matchLabels: {app: greedy}}',
        '  template:',
        '    metadata: {labels: {app: greedy}}',
        '    spec:',
        "      containers: [{name: echo, image: crucible/echo, resources: {requests: {cpu: '64'}}}]",
      ].join('\n'),
    );
    const file = join(dir, 'scenario.yaml');
    await writeFile(
      file,
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Scenario',
        'name: never-ready',
        'cluster: {workers: [{count: 1}]}',
        'workloads: [{manifests: [greedy.yaml]}]',
        'timeouts: {steadyState: 6s}',
        'checks: [{name: api, type: api-availability, window: whole-run, thresholds: {minSuccessRatio: 0.5}}]',
      ].join('\n'),
    );
    const out = join(home, 'out');
    const ran = await crucible(home, ['run', '--provider', 'process', '--out', out, file]);
    expect(ran.code, ran.stdout + ran.stderr).to.equal(1);
    expect(ran.stdout).to.match(/✘ steady-state/);
    expect(ran.stdout).to.match(
      /deployment default\/greedy: 0 of 1 replicas ready; pod greedy-\S+ Pending: .*Insufficient cpu/,
    );
    const runs = join(out, 'never-ready', 'runs');
    const [run] = await readdir(runs);
    const files = await readdir(join(runs, run!), { recursive: true });
    expect(files).to.include.members([
      'logs/worker-1.log',
      'logs/apiserver-0.log',
      'objects/default.json',
      'objects/cluster.json',
    ]);
    const objects = JSON.parse(await readFile(join(runs, run!, 'objects', 'default.json'), 'utf8'));
    expect(objects.pods[0].metadata.name).to.match(/^greedy-/);
    const page = await readFile(join(runs, run!, 'index.html'), 'utf8');
    expect(page).to.contain('id="unmet"').and.contain('href="logs/worker-1.log"');
    expect(await labelledProcesses()).to.deep.equal([]);
  });

  it('on Ctrl-C still heals, tears down and writes a history marked aborted (exit 3)', async () => {
    const out = join(home, 'out');
    let sent = false;
    const ran = await crucible(
      home,
      ['run', '--provider', 'process', '--seed', '3', '--out', out, QUICK],
      (text, kill) => {
        if (!sent && text.includes('kill-a-pod in force')) {
          sent = true;
          kill();
        }
      },
    );
    expect(sent, ran.stderr).to.equal(true);
    expect(ran.code).to.equal(3);
    const history = await onlyHistory(out);
    expect(history.metadata.aborted?.reason).to.include('interrupted');
    expect(history.metadata.phases.map((p) => p.name)).to.include.members(['heal', 'collect', 'teardown']);
    const heal = history.events.find((e) => e.type === 'fault-heal');
    expect(heal && heal.type === 'fault-heal' && heal.verifiedBy).to.equal('final heal of the run');
    await pollUntil(async () => (await labelledProcesses()).length === 0, 10_000, 'nothing left');
  });

  it('plans the same nemesis for the same seed, another for another seed (dry run: nothing boots)', async () => {
    const file = join(home, 'nemesis.yaml');
    await writeFile(
      file,
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Scenario',
        'name: nemesis',
        'faults:',
        '  nemesis: { types: [node-loss, node-pause, node-partition], interval: 10s, duration: 5s, count: 6 }',
      ].join('\n'),
    );
    const plan = async (seed: string) =>
      (await crucible(home, ['run', '--dry-run', '--seed', seed, file])).stdout;
    const [a, b] = [await plan('11'), await plan('11')];
    expect(a).to.include('fault nemesis-6');
    expect(a).to.equal(b);
    const others = await Promise.all(['12', '13', '14'].map(plan));
    const faults = (text: string) => text.split('\n').filter((l) => l.includes('fault '));
    expect(
      others.some((o) => JSON.stringify(faults(o)) !== JSON.stringify(faults(a))),
      'another seed, another plan',
    ).to.equal(true);
    expect(await labelledProcesses()).to.deep.equal([]);
  });

  it('refuses a --parallel that is not a whole number from 1 to 16, before anything boots (exit 3)', async () => {
    for (const bad of ['0', '17', 'two']) {
      const ran = await crucible(home, ['run', '--provider', 'process', '--parallel', bad, QUICK]);
      expect(ran.code, ran.stderr).to.equal(3);
      expect(ran.stderr).to.include(`--parallel: "${bad}" is not a whole number from 1 to 16`);
    }
  });
});
