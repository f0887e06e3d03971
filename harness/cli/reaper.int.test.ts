import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { crucible, type CrucibleRun } from '../../testing/crucible-cli.js';
import {
  DOCKER_CLUSTER_LABEL,
  dockerEngineAnswers,
  isProcessAlive,
  labelledProcesses,
} from '../cluster/index.js';
import { dockerClient } from '../support/docker-client.js';
import { processTree } from '../cluster/process-tree.js';
import { pollUntil } from '../support/poll-until.js';

const QUICK = fileURLToPath(new URL('../../scenarios/quick/pod-kill.yaml', import.meta.url));
const ECHO = fileURLToPath(new URL('../../scenarios/manifests/echo.yaml', import.meta.url));
/** Long enough that the run is always killed while the worker is frozen. */
const FROZEN_WORKER = `apiVersion: crucible.dev/v1alpha1
kind: Scenario
name: frozen-worker
cluster:
  workers: [{ count: 2 }]
namespaces: [echo]
workloads:
  - manifests: [${ECHO}]
steadyState:
  servicesAnswering: [echo/echo]
faults:
  schedule:
    - { id: freeze, type: node-pause, target: worker-2, at: 1s, for: 10m }
checks:
  - { name: running, type: availability, window: whole-run, thresholds: { minSuccessRatio: 0 } }
`;
/** How long the reaper may take once its owner is killed: it removes at once, and removing takes seconds. */
const REAPED_WITHIN_MS = 30_000;
const exec = promisify(execFile);

/** The one cluster a CLI booted in `home`. */
async function clusterIn(home: string): Promise<string> {
  const names = await readdir(join(home, 'clusters'));
  expect(names, 'one cluster').to.have.length(1);
  return names[0]!;
}

/** A run frozen mid-fault: started in `home`, handed back once the node-pause is in force. */
function startFrozenRun(
  home: string,
  provider: string,
  scenario: string,
): { inForce: Promise<void>; kill: () => void; exited: Promise<CrucibleRun> } {
  let kill!: () => void;
  let inForce!: () => void;
  const ready = new Promise<void>((resolve) => (inForce = resolve));
  const exited = crucible(
    home,
    ['run', '--provider', provider, '--out', join(home, 'out'), scenario],
    (text, signal) => {
      kill = () => signal('SIGKILL');
      if (text.includes('freeze in force')) inForce();
    },
  );
  return {
    inForce: Promise.race([
      ready,
      exited.then((r) =>
        Promise.reject(new Error(`the run ended before its fault: ${r.stderr.slice(-2000)}`)),
      ),
    ]),
    kill: () => kill(),
    exited,
  };
}

/** What of a cluster is on this machine outside its processes and containers. */
async function traces(home: string, cluster: string): Promise<string[]> {
  const found: string[] = [];
  if (existsSync(join(home, 'clusters', cluster))) found.push('its folder');
  if (existsSync(join(tmpdir(), 'crucible-owners', `${cluster}.json`))) found.push('its owner record');
  for (const file of await readdir(join(tmpdir(), 'crucible-slots')).catch(() => [] as string[])) {
    const text = await readFile(join(tmpdir(), 'crucible-slots', file), 'utf8').catch(() => '');
    if (text.includes(`"cluster":"${cluster}"`)) found.push(`its loopback slot ${file}`);
  }
  if (process.getuid?.() === 0) {
    const rules = await exec('iptables-save').then(
      (r) => r.stdout,
      () => '',
    );
    if (rules.includes(`crucible-confine:${cluster}`)) found.push('its iptables rules');
  }
  return found;
}

async function reaperOf(cluster: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('reaper-main.js') && cmdline.split('\0').includes(cluster)) return Number(entry);
  }
  throw new Error(`no reaper watches ${cluster}`);
}

describe('nothing outlives its owner (real CLI)', function () {
  this.timeout(300_000);
  const homes: string[] = [];
  let scenario: string;

  const newHome = async () => {
    const home = await mkdtemp(join(tmpdir(), 'crucible-reaper-'));
    homes.push(home);
    return home;
  };
  /** A process-provider run frozen mid-fault, its cluster, and every pid of its tree (pods too). */
  const frozenProcessRun = async (home: string) => {
    const frozen = startFrozenRun(home, 'process', scenario);
    await frozen.inForce;
    const cluster = await clusterIn(home);
    const pids = await processTree((await labelledProcesses(cluster)).map((p) => p.pid));
    return { frozen, cluster, pids };
  };
  before(async () => {
    scenario = join(await newHome(), 'frozen-worker.yaml');
    await writeFile(scenario, FROZEN_WORKER);
  });
  after(async () => {
    for (const home of homes) {
      for (const name of await readdir(join(home, 'clusters')).catch(() => [] as string[]))
        await crucible(home, ['down', name]);
      await rm(home, { recursive: true, force: true });
    }
  });

  it('process: a run beside a killed one passes and takes nothing of it; the killed one is reaped, thawed, within seconds', async () => {
    const home = await newHome();
    const { frozen, cluster, pids } = await frozenProcessRun(home);

    // Another run starts (and looks for leftovers) while this one lives: it must not touch it.
    const beside = await crucible(await newHome(), [
      'run',
      '--provider',
      'process',
      '--out',
      join(home, 'beside'),
      QUICK,
    ]);
    expect(beside.code, beside.stderr).to.equal(0);
    expect(pids.filter(isProcessAlive), 'the live run keeps every process').to.deep.equal(pids);

    frozen.kill();
    await frozen.exited;
    await pollUntil(
      async () => !pids.some(isProcessAlive),
      REAPED_WITHIN_MS,
      'every process, pods and frozen ones included, gone',
      200,
    );
    await pollUntil(async () => (await traces(home, cluster)).length === 0, 5_000, 'no trace left', 200);
  });

  it('process: a run whose reaper was killed too is removed by the next start; `up` stays after its CLI exits, until `down`', async () => {
    const home = await newHome();
    const { frozen, cluster, pids } = await frozenProcessRun(home);
    process.kill(await reaperOf(cluster), 'SIGKILL');
    frozen.kill();
    await frozen.exited;
    await new Promise((r) => setTimeout(r, 2000));
    expect(pids.filter(isProcessAlive), 'nobody reaped it yet').to.not.deep.equal([]);

    const other = await newHome();
    const up = await crucible(other, ['up', '--provider', 'process', '--name', 'kept', '--workers', '1']);
    expect(up.code, up.stderr).to.equal(0);
    expect(up.stderr).to.include(`removed cluster ${cluster}, left by a run that is gone`);
    expect(pids.filter(isProcessAlive)).to.deep.equal([]);
    expect(await traces(home, cluster)).to.deep.equal([]);

    // `up`'s CLI has exited: its cluster is the user's, and no reaper or later start removes it.
    const kept = await labelledProcesses('kept');
    expect(kept).to.not.be.empty;
    await new Promise((r) => setTimeout(r, 2000));
    const again = await crucible(other, [
      'up',
      '--provider',
      'process',
      '--name',
      'kept-too',
      '--workers',
      '1',
    ]);
    expect(again.code, again.stderr).to.equal(0);
    expect(kept.map((p) => p.pid).filter(isProcessAlive)).to.have.length(kept.length);
    for (const name of ['kept', 'kept-too']) expect((await crucible(other, ['down', name])).code).to.equal(0);
    expect(await labelledProcesses('kept')).to.deep.equal([]);
    expect(await traces(other, 'kept')).to.deep.equal([]);
  });

  it('docker: a killed run in the middle of a node-pause is reaped within seconds: no container, paused or not, no network', async function () {
    if (!(await dockerEngineAnswers(2000))) this.skip();
    const home = await newHome();
    const frozen = startFrozenRun(home, 'docker', scenario);
    await frozen.inForce;
    const cluster = await clusterIn(home);
    const docker = await dockerClient();
    const filters = JSON.stringify({ label: [`${DOCKER_CLUSTER_LABEL}=${cluster}`] });
    const containers = await docker.listContainers({ all: true, filters });
    expect(
      containers.map((c) => c.State),
      'a worker frozen',
    ).to.include('paused');

    frozen.kill();
    await frozen.exited;
    await pollUntil(
      async () => (await docker.listContainers({ all: true, filters })).length === 0,
      REAPED_WITHIN_MS,
      'no container of the cluster',
      200,
    );
    expect(await docker.listNetworks({ filters })).to.deep.equal([]);
    await pollUntil(async () => (await traces(home, cluster)).length === 0, 5_000, 'no trace left', 200);
  });
});
