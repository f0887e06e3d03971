import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRun, writeRunReport } from '../../reports/write-report.js';
import { CRUCIBLE_CLI, crucible, type CrucibleRun } from '../../testing/crucible-cli.js';

const CONFORMANCE = fileURLToPath(new URL('../../scenarios/conformance/', import.meta.url));
const QUICK = fileURLToPath(new URL('../../scenarios/quick/pod-kill.yaml', import.meta.url));
/**
 * The part of the conformance suite the real runs take: the scenarios tagged `deployment` (three),
 * so that both shards and the merge fit in a few minutes here; CRUCIBLE_SHARD_TAG=quick runs the
 * quick subset (thirteen scenarios, about ten minutes on a loaded two-core machine) instead.
 */
const TAG = process.env.CRUCIBLE_SHARD_TAG ?? 'deployment';

/** The scenarios an invocation wrote into an output folder, by folder name. */
async function invocationScenarios(out: string): Promise<string[]> {
  const { runs } = JSON.parse(await readFile(join(out, 'invocation.json'), 'utf8')) as { runs: string[] };
  return runs.map((r) => r.split('/')[0]!).sort();
}

/** The plan lines of a dry run: one per scenario, its name first. */
function planned(run: CrucibleRun): string[] {
  return run.stdout
    .split('\n')
    .filter((l) => l.includes(', sha256 '))
    .map((l) => l.split(' ')[0]!);
}

describe('crucible run --shard and report --merge (real CLI)', function () {
  this.timeout(600_000);
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-shard-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('splits the whole conformance suite into shards that take every scenario once', async () => {
    const all = planned(await crucible(home, ['run', '--dry-run', '--seed', '1', CONFORMANCE]));
    expect(all.length).to.be.at.least(15);
    const shards = await Promise.all(
      [1, 2, 3].map((i) =>
        crucible(home, ['run', '--dry-run', '--seed', '1', '--shard', `${i}/3`, CONFORMANCE]),
      ),
    );
    const taken = shards.flatMap(planned);
    expect([...taken].sort()).to.deep.equal([...all].sort());
    for (const [i, shard] of shards.entries()) {
      expect(shard.code).to.equal(0);
      expect(shard.stderr).to.include(
        `shard ${i + 1}/3: ${planned(shard).length} of ${all.length} scenarios`,
      );
      expect(shard.stderr).to.include(planned(shard).join(', '));
    }
  });

  it('refuses a shard that does not exist, with exit 3 and what to write instead', async () => {
    for (const [flag, words] of [
      ['0/2', '--shard 0/2: shards count from 1 to 2'],
      ['3/2', '--shard 3/2: shards count from 1 to 2'],
      ['x/y', '--shard: "x/y" is not of the form i/n'],
    ] as const) {
      const run = await crucible(home, ['run', '--dry-run', '--shard', flag, CONFORMANCE]);
      expect(run.code, flag).to.equal(3);
      expect(run.stderr).to.include(words);
      expect(run.stderr).to.not.match(/\n\s+at /); // no stack trace
    }
  });

  it('runs nothing in a shard beyond the suite, and its folder says it ran nothing', async () => {
    const out = join(home, 'out');
    // An earlier invocation's runs in the folder (as restored from last night) are not this shard's.
    await mkdir(out);
    await writeFile(
      join(out, 'invocation.json'),
      JSON.stringify({ id: 'last-night', runs: ['probes/runs/x'] }),
    );
    const run = await crucible(home, ['run', '--provider', 'process', '--shard', '3/3', '--out', out, QUICK]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.include('shard 3/3: 0 of 1 scenarios');
    expect(await invocationScenarios(out)).to.deep.equal([]);
  });

  it(`runs the ${TAG} conformance scenarios as two shards on the process provider; the merge is one unsharded run's index, score and JUnit`, async () => {
    const shardOut = (i: number) => join(home, `shard-${i}`);
    const shards: CrucibleRun[] = [];
    // One after the other: the machine has two cores, and slots side by side are another test's.
    for (const i of [1, 2]) {
      const args = ['run', '--provider', 'process', '--seed', '1', '--tag', TAG, '--shard', `${i}/2`];
      shards.push(await crucible(home, [...args, '--out', shardOut(i), CONFORMANCE]));
    }
    const suite = planned(await crucible(home, ['run', '--dry-run', '--tag', TAG, CONFORMANCE])).sort();
    const [one, two] = [await invocationScenarios(shardOut(1)), await invocationScenarios(shardOut(2))];
    expect([...one, ...two].sort(), 'every scenario once').to.deep.equal(suite);
    expect(one).to.not.be.empty;
    expect(two).to.not.be.empty;
    // How each run went (a check failing, or the harness under a loaded machine's timeouts) is not
    // this test's subject: each shard must have taken and reported its share, which the folders
    // show above, and said so.
    for (const [i, shard] of shards.entries())
      expect(shard.stderr).to.include(
        `shard ${i + 1}/2: ${[one, two][i]!.length} of ${suite.length} scenarios`,
      );

    const merged = join(home, 'merged');
    const merge = await crucible(home, ['report', '--merge', shardOut(1), shardOut(2), '--out', merged]);
    expect(merge.code, merge.stderr).to.equal(0);
    expect(merge.stdout).to.match(new RegExp(`^merged 2 folders: ${suite.length} scenarios, score [\\d.]+`));

    // One unsharded run of the same runs: each run written into one folder by one invocation.
    const whole = join(home, 'whole');
    for (const out of [shardOut(1), shardOut(2)])
      for (const scenario of await invocationScenarios(out)) {
        const runs = join(out, scenario, 'runs');
        const [id] = await readdir(runs);
        const { history, verdicts } = await readRun(join(runs, id!));
        await writeRunReport(whole, history, verdicts, new Map(), 'unsharded');
      }
    for (const file of ['index.html', 'junit.xml'])
      expect(await readFile(join(merged, file), 'utf8'), file).to.equal(
        await readFile(join(whole, file), 'utf8'),
      );
    const junit = await readFile(join(merged, 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).to.have.length(suite.length);
    const score = /score ([\d.]+)/.exec(merge.stdout)![1]!;
    // The page's computation, its "=" as handlebars escapes it.
    expect(await readFile(join(merged, 'index.html'), 'utf8')).to.include(`&#x3D; ${score}<`);

    // Merging a shard with a copy of itself: the same scenarios twice, refused.
    await cp(shardOut(1), join(home, 'again'), { recursive: true });
    const twice = await crucible(home, ['report', '--merge', shardOut(1), join(home, 'again')]);
    expect(twice.code).to.equal(3);
    expect(twice.stderr).to.include('run by more than one of the folders');
    expect(twice.stderr).to.include(`${one[0]}: ${shardOut(1)}, ${join(home, 'again')}`);
  });
});

describe('a run that cannot get a cluster (real CLI)', function () {
  this.timeout(60_000);
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-noslot-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('stops at once with exit 3 when every loopback slot is taken, starting nothing and reporting nothing', async () => {
    // A machine of its own for slots: TMPDIR holds the reservations, every one held by this live process.
    const machine = join(home, 'tmp');
    await mkdir(join(machine, 'crucible-slots'), { recursive: true });
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    for (let slot = 1; slot < 200; slot++) {
      const held = { pid: process.pid, bootId, cluster: `other-${slot}`, dir: join(home, 'none') };
      await writeFile(join(machine, 'crucible-slots', `${slot}.json`), JSON.stringify(held));
    }
    const out = join(home, 'out');
    const started = Date.now();
    const run = await cli(
      home,
      ['run', '--provider', 'process', '--out', out, QUICK, join(CONFORMANCE, 'probes.yaml')],
      { TMPDIR: machine },
    );
    expect(run.code, run.stderr).to.equal(3);
    expect(Date.now() - started).to.be.below(20_000);
    expect(run.stderr).to.match(
      /^crucible: quick-pod-kill: no cluster could start, and nothing was left running: no free loopback slot/m,
    );
    expect(run.stderr, 'the second scenario is not tried').to.not.include('» probes');
    // No report of a run that never began; only the record that this invocation ran nothing.
    expect(await readdir(out), 'no report of a run that never began').to.deep.equal(['invocation.json']);
    expect(await readdir(join(home, 'clusters')).catch(() => []), 'no cluster folder left').to.deep.equal([]);
  });

  it('stops at once with exit 3 when --provider docker finds no Docker engine', async function () {
    if (process.getuid?.() !== 0) this.skip();
    // A mount namespace of its own in which /var/run (the engine's socket) is an empty folder.
    const empty = join(home, 'empty');
    await mkdir(empty);
    const started = Date.now();
    const run = await cli(home, ['run', '--provider', 'docker', '--out', join(home, 'out'), QUICK], {}, [
      'unshare',
      '-m',
      'sh',
      '-c',
      `mount --bind ${empty} /var/run && exec "$0" "$@"`,
    ]);
    if (/unshare|mount/.test(run.stderr) && run.code !== 3) this.skip(); // no namespaces here
    expect(run.code, run.stderr).to.equal(3);
    expect(Date.now() - started).to.be.below(15_000);
    expect(run.stderr).to.include('crucible: --provider docker: no Docker engine answers');
    expect(await readdir(join(home, 'out')).catch(() => [])).to.deep.equal([]);
  });
});

/** The real CLI with more environment, optionally under a wrapper command (`unshare …`). */
function cli(
  home: string,
  args: string[],
  env: Record<string, string>,
  wrapper: string[] = [],
): Promise<CrucibleRun> {
  return new Promise((resolve) => {
    const argv = [...wrapper, process.execPath, CRUCIBLE_CLI, ...args];
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, CRUCIBLE_HOME: home, DOCKER_HOST: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
