import { expect } from 'chai';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeRunFolders } from './merge-run-folders.js';
import { recordedDurations } from './recorded-durations.js';
import { ReportError } from './report-error.js';
import { abortedRun, failedRun, passingRun, type FixtureRun } from './testdata/fixture-runs.js';
import { writeRunReport } from './write-report.js';

/** A fixture run as a run of another scenario. */
function as(scenario: string, run: FixtureRun): FixtureRun {
  const history = structuredClone(run.history);
  history.metadata.scenario.name = scenario;
  return { history, verdicts: run.verdicts };
}

const earlierAlpha = as('alpha', passingRun('2025-02-28T10:00:00.000Z'));
const RUNS: Record<string, FixtureRun> = {
  alpha: as('alpha', passingRun('2025-03-01T10:00:00.000Z')),
  beta: as('beta', failedRun('2025-03-01T10:00:01.000Z')),
  gamma: as('gamma', abortedRun('2025-03-01T10:00:02.000Z')),
  delta: as('delta', passingRun('2025-03-01T10:00:03.000Z')),
};
const EVIDENCE = new Map([['logs/apiserver-0.log', 'listening\n']]);

/** An output folder as `crucible run` leaves it: an earlier night's run of alpha, then this invocation's runs. */
async function runFolder(dir: string, invocation: string, scenarios: string[]): Promise<string> {
  await writeRunReport(dir, earlierAlpha.history, earlierAlpha.verdicts, new Map(), 'last-night');
  for (const name of scenarios) {
    const run = RUNS[name]!;
    await writeRunReport(dir, run.history, run.verdicts, EVIDENCE, invocation);
  }
  return dir;
}

/** Every file under dir with its content, but the invocation's own record. */
async function contents(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((f) => f !== 'invocation.json')
    .sort();
  return new Map(
    await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f), 'utf8')] as const)),
  );
}

async function rejection(p: Promise<unknown>): Promise<ReportError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(ReportError);
    return e as ReportError;
  }
  throw new Error('expected a rejection');
}

describe('mergeRunFolders (crucible report --merge)', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'crucible-merge-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('gives the same index, score, JUnit and pages, byte for byte, as one unsharded run of the same runs', async () => {
    const whole = await runFolder(path.join(tmp, 'whole'), 'all', ['alpha', 'beta', 'gamma', 'delta']);
    const shard1 = await runFolder(path.join(tmp, 'shard-1'), 'one', ['alpha', 'gamma']);
    const shard2 = await runFolder(path.join(tmp, 'shard-2'), 'two', ['beta', 'delta']);
    const merged = path.join(tmp, 'merged');

    const result = await mergeRunFolders([shard1, shard2], merged);

    const [expected, actual] = [await contents(whole), await contents(merged)];
    expect([...actual.keys()]).to.deep.equal([...expected.keys()]);
    for (const [file, text] of expected) expect(actual.get(file), file).to.equal(text);
    // What the comparison covers: four scenarios in the score, the earlier night's run only in trends.
    const index = actual.get('index.html')!;
    expect(index).to.include('100 × (2/4 + 1/4 + 4/4 + 4/4) ÷ 4');
    expect(actual.get('junit.xml')!.match(/<testsuite /g)).to.have.length(4);
    expect(result.scenarios).to.deep.equal(['alpha', 'beta', 'delta', 'gamma']);
    expect(result.score).to.equal('68.8');
    expect(result.indexPage).to.equal(path.join(merged, 'index.html'));
    // Both shards kept last night's run of alpha: it is one run, copied once.
    expect(result.copied).to.equal(5);
  });

  it('merges into one of the shards’ own folders', async () => {
    const whole = await runFolder(path.join(tmp, 'whole'), 'all', ['alpha', 'beta', 'gamma', 'delta']);
    const shard1 = await runFolder(path.join(tmp, 'shard-1'), 'one', ['alpha', 'gamma']);
    const shard2 = await runFolder(path.join(tmp, 'shard-2'), 'two', ['beta', 'delta']);
    await mergeRunFolders([shard1, shard2], shard1);
    expect((await contents(shard1)).get('junit.xml')).to.equal((await contents(whole)).get('junit.xml'));
    expect((await contents(shard1)).get('index.html')).to.equal((await contents(whole)).get('index.html'));
  });

  it('refuses shards that ran the same scenario, naming it and the folders, and writes nothing', async () => {
    const shard1 = await runFolder(path.join(tmp, 'shard-1'), 'one', ['alpha', 'gamma']);
    const shard2 = await runFolder(path.join(tmp, 'shard-2'), 'two', ['gamma', 'delta']);
    const merged = path.join(tmp, 'merged');
    const e = await rejection(mergeRunFolders([shard1, shard2], merged));
    expect(e.code).to.equal('OverlappingShards');
    expect(e.message).to.include(`gamma: ${shard1}, ${shard2}`);
    expect(e.message).to.not.include('alpha:'); // an earlier run both kept is no overlap
    expect(await stat(merged).catch(() => null)).to.equal(null);
  });

  it('refuses a folder that is not the output folder of a run', async () => {
    const shard1 = await runFolder(path.join(tmp, 'shard-1'), 'one', ['alpha']);
    expect((await rejection(mergeRunFolders([shard1, tmp], path.join(tmp, 'm')))).code).to.equal(
      'NotAnOutputFolder',
    );
    expect((await rejection(mergeRunFolders([shard1, path.join(tmp, 'nope')], tmp))).code).to.equal(
      'NoRunsFound',
    );
  });
});

describe('recordedDurations (what crucible run --shard balances by)', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'crucible-durations-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('takes each scenario’s newest run that finished, by scenario name', async () => {
    const out = await runFolder(tmp, 'all', ['alpha', 'beta']);
    // A newer run of beta that was aborted after 60 s: the finished one's length still counts.
    const aborted = as('beta', abortedRun('2025-03-02T00:00:00.000Z'));
    await writeRunReport(out, aborted.history, aborted.verdicts);
    const gammaOnly = as('gamma', abortedRun('2025-03-02T00:00:00.000Z'));
    await writeRunReport(out, gammaOnly.history, gammaOnly.verdicts);
    const durations = await recordedDurations(out);
    expect([...durations.keys()].sort()).to.deep.equal(['alpha', 'beta', 'gamma']);
    expect(durations.get('beta')).to.equal(durations.get('alpha'));
    expect(durations.get('beta')).to.be.greaterThan(durations.get('gamma')!);
    expect(durations.get('gamma')).to.be.at.least(60_000);
  });

  it('is empty for a folder that does not exist', async () => {
    expect((await recordedDurations(path.join(tmp, 'none'))).size).to.equal(0);
  });
});
