import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReportError } from './report-error.js';
import { abortedRun, failedRun, passingRun, tenMinuteRun } from './testdata/fixture-runs.js';
import { pruneRuns, renderFromDirectory, runId, scenarioFolderName, writeRunReport } from './write-report.js';

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

async function rejection(p: Promise<unknown>): Promise<ReportError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(ReportError);
    return e as ReportError;
  }
  throw new Error('expected a rejection');
}

/** Every file under dir, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('writeRunReport', () => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'crucible-report-'));
  });
  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('writes the run, the scenario copies of its latest run, and the index', async () => {
    const { history, verdicts } = passingRun();
    const written = await writeRunReport(out, history, verdicts);
    const id = '2025-03-01T10-00-00.000Z';
    expect(await tree(out)).to.deep.equal([
      'index.html',
      'invocation.json',
      'junit.xml',
      'node-loss/history.json',
      'node-loss/index.html',
      'node-loss/junit.xml',
      `node-loss/runs/${id}/history.json`,
      `node-loss/runs/${id}/index.html`,
      `node-loss/runs/${id}/junit.xml`,
      `node-loss/runs/${id}/verdicts.json`,
      'node-loss/verdicts.json',
    ]);
    expect(written).to.deep.equal({
      runDir: path.join(out, 'node-loss', 'runs', id),
      runPage: path.join(out, 'node-loss', 'runs', id, 'index.html'),
      scenarioPage: path.join(out, 'node-loss', 'index.html'),
      indexPage: path.join(out, 'index.html'),
      junit: path.join(out, 'node-loss', 'runs', id, 'junit.xml'),
    });
    expect(JSON.parse(await readFile(path.join(written.runDir, 'history.json'), 'utf8'))).to.deep.equal(
      history,
    );
    expect(JSON.parse(await readFile(path.join(out, 'node-loss', 'verdicts.json'), 'utf8'))).to.deep.equal(
      verdicts,
    );
  });

  it('keeps earlier runs and links them from the trends', async () => {
    const first = passingRun('2025-01-01T00:00:00.000Z');
    const second = failedRun('2025-01-02T00:00:00.000Z');
    await writeRunReport(out, first.history, first.verdicts);
    const written = await writeRunReport(out, second.history, second.verdicts);

    const runPage = await readFile(written.runPage, 'utf8');
    expect(runPage).to.contain('<a href="../2025-01-01T00-00-00.000Z/index.html">');
    const scenarioPage = await readFile(written.scenarioPage, 'utf8');
    expect(scenarioPage).to.contain('<a href="runs/2025-01-01T00-00-00.000Z/index.html">');
    expect(scenarioPage).to.contain('✘</span> fail');
    const index = await readFile(written.indexPage, 'utf8');
    expect(index).to.contain('<a href="node-loss/runs/2025-01-01T00-00-00.000Z/index.html">');
    expect(index).to.contain('<a href="node-loss/runs/2025-01-02T00-00-00.000Z/index.html">');
    expect(index).to.contain('2 run(s) kept');
  });

  it('leaves the scenario copies on the latest run when an older run is written after it', async () => {
    const newer = failedRun('2025-01-02T00:00:00.000Z');
    const older = passingRun('2025-01-01T00:00:00.000Z');
    await writeRunReport(out, newer.history, newer.verdicts);
    await writeRunReport(out, older.history, older.verdicts);
    const latest = JSON.parse(await readFile(path.join(out, 'node-loss', 'history.json'), 'utf8'));
    expect(latest.metadata.startedAt).to.equal('2025-01-02T00:00:00.000Z');
  });

  it('lists every scenario of one invocation in the index, its score and the root junit.xml', async () => {
    for (const r of [passingRun(), tenMinuteRun()])
      await writeRunReport(out, r.history, r.verdicts, new Map(), 'invocation-1');
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index).to.contain('<a href="node-loss/index.html">');
    expect(index).to.contain('<a href="long-soak/index.html">');
    expect(index).to.not.contain('id="earlier"');
    const junit = await readFile(path.join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).to.have.length(2);
  });

  it('scores the last invocation only, and lists scenarios it did not run apart as earlier runs', async () => {
    const failed = failedRun('2025-01-01T00:00:00.000Z');
    await writeRunReport(out, failed.history, failed.verdicts, new Map(), 'yesterday');
    const soak = tenMinuteRun();
    await writeRunReport(out, soak.history, soak.verdicts, new Map(), 'today');
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    const [current, earlier] = index.split('id="earlier"');
    expect(current).to.contain('long-soak').and.not.contain('node-loss');
    expect(earlier).to.contain('node-loss');
    const junit = await readFile(path.join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).to.have.length(1);
    expect(junit).to.contain('long-soak').and.not.contain('node-loss');
  });

  it('keeps the newest runs of each scenario with pruneRuns, never one of the last invocation', async () => {
    const days = ['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04'];
    for (const day of days) {
      const r = passingRun(`${day}T00:00:00.000Z`);
      await writeRunReport(out, r.history, r.verdicts, new Map(), day === '2025-01-01' ? 'last' : day);
    }
    // The oldest run is rewritten last, as part of the last invocation: it stays.
    const oldest = passingRun('2025-01-01T00:00:00.000Z');
    await writeRunReport(out, oldest.history, oldest.verdicts, new Map(), 'last');
    const deleted = await pruneRuns(out, 2);
    expect(deleted.map((d) => path.basename(d))).to.deep.equal(['2025-01-02T00-00-00.000Z']);
    const runs = (await tree(out)).filter((f) => f.endsWith('/history.json') && f.includes('/runs/'));
    expect(runs).to.have.length(3);
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).to.not.contain('2025-01-02T00-00-00.000Z');
  });

  it('writes the run’s evidence beside its history and links it from its pages', async () => {
    const { history, verdicts } = passingRun();
    history.metadata.evidence = ['logs/worker-1.log'];
    const written = await writeRunReport(
      out,
      history,
      verdicts,
      new Map([
        ['logs/worker-1.log', 'kubelet started'],
        ['../escape.txt', 'never written'],
      ]),
    );
    expect(await readFile(path.join(written.runDir, 'logs', 'worker-1.log'), 'utf8')).to.equal(
      'kubelet started',
    );
    expect((await tree(out)).some((f) => f.includes('escape'))).to.equal(false);
    expect(await readFile(written.runPage, 'utf8')).to.contain('<a href="logs/worker-1.log">');
    expect(await readFile(written.scenarioPage, 'utf8')).to.contain(
      `<a href="runs/${path.basename(written.runDir)}/logs/worker-1.log">`,
    );
  });
});

describe('renderFromDirectory', () => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'crucible-report-'));
  });
  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  async function rendered(): Promise<Map<string, string>> {
    const files = (await tree(out)).filter((f) => /\.(html|xml)$/.test(f));
    return new Map(
      await Promise.all(files.map(async (f) => [f, await readFile(path.join(out, f), 'utf8')] as const)),
    );
  }

  it('renders an output folder again, byte for byte, from its histories and verdicts alone', async () => {
    for (const r of [
      passingRun('2025-01-01T00:00:00.000Z'),
      failedRun('2025-01-02T00:00:00.000Z'),
      abortedRun(),
    ]) {
      await writeRunReport(out, r.history, r.verdicts);
    }
    const before = await rendered();
    for (const f of before.keys()) await rm(path.join(out, f));
    const result = await renderFromDirectory(out);
    expect(await rendered()).to.deep.equal(before);
    expect(result.indexPage).to.equal(path.join(out, 'index.html'));
    expect(result.pages).to.have.length(5);
  });

  it('renders a run again from its history.json, with its scenario and index', async () => {
    const { history, verdicts } = passingRun();
    const written = await writeRunReport(out, history, verdicts);
    await rm(written.runPage);
    await rm(written.indexPage);
    const result = await renderFromDirectory(path.join(written.runDir, 'history.json'));
    expect(await exists(written.runPage)).to.equal(true);
    expect(result.indexPage).to.equal(written.indexPage);
    expect(await exists(written.indexPage)).to.equal(true);
  });

  it('renders a lone history.json where it lies', async () => {
    const { history, verdicts } = failedRun();
    await writeFile(path.join(out, 'history.json'), JSON.stringify(history));
    await writeFile(path.join(out, 'verdicts.json'), JSON.stringify(verdicts));
    const result = await renderFromDirectory(out);
    expect(result).to.deep.equal({ pages: [path.join(out, 'index.html')], indexPage: null, unreadable: [] });
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).to.contain('echo-available');
    expect(await exists(path.join(out, 'junit.xml'))).to.equal(true);
  });

  it('lists a broken run folder on the index and renders the rest', async () => {
    const { history, verdicts } = passingRun();
    await writeRunReport(out, history, verdicts);
    const broken = path.join(out, 'node-loss', 'runs', 'broken');
    await mkdir(broken);
    await writeFile(path.join(broken, 'history.json'), '{"apiVersion": "crucible.dev/v9"}');
    await writeFile(path.join(broken, 'verdicts.json'), '[]');
    const result = await renderFromDirectory(out);
    expect(result.unreadable).to.have.length(1);
    expect(result.unreadable[0]).to.match(
      /^node-loss[/\\]runs[/\\]broken: .*not a History of crucible\.dev\/v1alpha1/,
    );
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).to.contain('Runs that could not be read');
  });

  it('refuses paths that hold no run, with a stable code', async () => {
    expect((await rejection(renderFromDirectory(path.join(out, 'missing')))).code).to.equal('NoRunsFound');
    expect((await rejection(renderFromDirectory(out))).code).to.equal('NoRunsFound');
  });

  it('refuses a history of an unknown apiVersion, and one not yet judged', async () => {
    const { history } = passingRun();
    await writeFile(
      path.join(out, 'history.json'),
      JSON.stringify({ ...history, apiVersion: 'crucible.dev/v2' }),
    );
    await writeFile(path.join(out, 'verdicts.json'), '[]');
    expect((await rejection(renderFromDirectory(out))).code).to.equal('UnsupportedHistory');
    await writeFile(path.join(out, 'history.json'), JSON.stringify(history));
    await rm(path.join(out, 'verdicts.json'));
    const missing = await rejection(renderFromDirectory(path.join(out, 'history.json')));
    expect(missing.code).to.equal('VerdictsNotFound');
    expect(missing.message).to.contain('crucible check');
    await writeFile(path.join(out, 'verdicts.json'), '{"not": "a list"}');
    expect((await rejection(renderFromDirectory(out))).code).to.equal('InvalidVerdicts');
    await writeFile(path.join(out, 'verdicts.json'), '[');
    expect((await rejection(renderFromDirectory(out))).code).to.equal('RunFileUnreadable');
  });
});

describe('output folder names', () => {
  it('keeps scenario names file-system safe', () => {
    expect(scenarioFolderName('node-loss')).to.equal('node-loss');
    expect(scenarioFolderName('tenant A/B: loss')).to.equal('tenant_A_B__loss');
    expect(scenarioFolderName('..')).to.equal('_');
    expect(scenarioFolderName('')).to.equal('_');
  });

  it('names runs by their start so folders sort in time order', () => {
    expect(runId('2025-03-01T10:00:00.000Z')).to.equal('2025-03-01T10-00-00.000Z');
    expect([runId('2025-03-01T10:00:00.000Z'), runId('2025-02-28T23:59:59.999Z')].sort()[0]).to.equal(
      '2025-02-28T23-59-59.999Z',
    );
  });
});
