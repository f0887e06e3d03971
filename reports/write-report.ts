/**
 * Writes run reports into an output folder and re-renders them from what the folder holds. With
 * merge-run-folders.ts and recorded-durations.ts, which build on it, the only files of reports/
 * that touch the file system; everything it writes is rendered by the pure functions beside it.
 *
 * Layout of an output folder:
 *
 *   <out>/index.html                  the last invocation's scenarios, their score and trends; the
 *                                     scenarios run only earlier listed apart, marked as such
 *   <out>/junit.xml                   one testsuite per scenario of the last invocation
 *   <out>/invocation.json             which runs the last invocation wrote (its id and run folders)
 *   <out>/<scenario>/index.html       the scenario's latest run report
 *   <out>/<scenario>/history.json     ┐
 *   <out>/<scenario>/verdicts.json    ├ the latest run's files, copied up so the usual paths work
 *   <out>/<scenario>/junit.xml        ┘
 *   <out>/<scenario>/runs/<run-id>/   every run kept: history.json, verdicts.json, index.html, junit.xml
 *
 * `<scenario>` is the scenario's name with every character outside [A-Za-z0-9._-] replaced by `_`.
 * `<run-id>` is the run's `startedAt` with `:` replaced by `-` (2025-01-02T03-04-05.678Z), so the
 * folders sort in time order and the name is valid on every file system. Trends read every
 * `runs/<run-id>/` folder of a scenario; deleting a run folder removes it from the trends at the
 * next render. Each run's history.json + verdicts.json is the source of truth: every HTML and XML
 * file can be rendered again from them (`renderFromDirectory`). A folder under `<out>` holding a
 * history.json but no `runs/` counts as a scenario with that single run.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HISTORY_API_VERSION, type History } from '../harness/history/history.js';
import type { Verdict } from '../harness/checks/verdict.js';
import { buildIndexModel, type IndexEntry } from './index-model.js';
import { renderJUnit, type JudgedRun } from './junit.js';
import { renderIndexPage, renderRunPage } from './render-html.js';
import { buildReportModel } from './report-model.js';
import { ReportError } from './report-error.js';
import { digestRun, type RunDigest } from './run-digest.js';
import type { LinkedRun } from './trend-chart.js';

const HISTORY = 'history.json';
const VERDICTS = 'verdicts.json';
const PAGE = 'index.html';
const JUNIT = 'junit.xml';
const RUNS = 'runs';
const INVOCATION = 'invocation.json';

/** Which runs one invocation of `crucible run` (or one library call) wrote: the index and root JUnit are about them. */
export interface Invocation {
  id: string;
  /** Run folders, relative to the output folder. */
  runs: string[];
}

/** Where writeRunReport put things. */
export interface WrittenReport {
  runDir: string;
  runPage: string;
  scenarioPage: string;
  indexPage: string;
  junit: string;
}

/** What renderFromDirectory rendered. */
export interface RenderResult {
  /** Every HTML page written. */
  pages: string[];
  /** The output folder's index page, when the path was (or was inside) an output folder. */
  indexPage: string | null;
  /** Run folders that could not be read, with why. */
  unreadable: string[];
  /** The index's resilience score ("87.5", or "—"), when an index was rendered. */
  score?: string;
}

/**
 * Stores a run under `<outDir>/<scenario>/runs/<run-id>/`, renders its page (with the trend over
 * the scenario's earlier runs kept there) and JUnit XML, refreshes the scenario's latest copies
 * when this run is its latest, and re-renders the output folder's index and junit.xml.
 */
export async function writeRunReport(
  outDir: string,
  history: History,
  verdicts: readonly Verdict[],
  /** The run's evidence (component logs, object dumps): paths relative to the run's folder → text. */
  evidence: ReadonlyMap<string, string> = new Map(),
  /**
   * The invocation the run belongs to: the index's score and the root junit.xml cover the runs of
   * the last invocation only. Absent: a run of its own.
   */
  invocation: string = runId(history.metadata.startedAt),
): Promise<WrittenReport> {
  const scenarioDir = path.join(outDir, scenarioFolderName(history.metadata.scenario.name));
  const runDir = path.join(scenarioDir, RUNS, runId(history.metadata.startedAt));
  await mkdir(runDir, { recursive: true });
  await writeAtomically(path.join(runDir, HISTORY), JSON.stringify(history));
  await writeAtomically(path.join(runDir, VERDICTS), JSON.stringify(verdicts, null, 2));
  for (const [file, text] of evidence) {
    const target = path.join(runDir, file);
    if (!target.startsWith(runDir + path.sep)) continue; // a path must stay inside the run's folder
    await mkdir(path.dirname(target), { recursive: true });
    await writeAtomically(target, text);
  }

  const scenario = await scanScenario(scenarioDir);
  const digest = digestRun(history, verdicts);
  const others = scenario.runs.filter((r) => r.dir !== runDir);
  const earlier = others.filter((r) => r.digest.startedAt < digest.startedAt);
  const run: JudgedRun = { history, verdicts };
  await recordInvocation(outDir, invocation, runDir);
  await renderRun(runDir, run, linked(earlier, runDir));
  const isLatest = others.every((r) => r.digest.startedAt <= digest.startedAt);
  if (isLatest) await renderScenarioCopies(scenarioDir, run, linked(earlier, scenarioDir), runDir);
  const index = await renderOutputFolder(outDir);
  return {
    runDir,
    runPage: path.join(runDir, PAGE),
    scenarioPage: path.join(scenarioDir, PAGE),
    indexPage: index.indexPage ?? path.join(outDir, PAGE),
    junit: path.join(runDir, JUNIT),
  };
}

/**
 * Renders again from stored histories, for `crucible report PATH`. PATH may be an output folder
 * (every run, every scenario, the index), a scenario folder (its runs, then its output folder's
 * index), a run folder or a history file (that run; and its scenario and output folder when it
 * lies in the layout above). Verdicts come from the verdicts.json beside each history.
 */
export async function renderFromDirectory(target: string): Promise<RenderResult> {
  const info = await statOrNull(target);
  if (!info) throw new ReportError('NoRunsFound', `${target} does not exist.`, target);
  if (info.isFile() && path.basename(target) !== HISTORY) {
    // A history under another name is rendered where it lies, outside any layout.
    const dir = path.dirname(target);
    await renderRun(dir, await readRun(dir, path.basename(target)), []);
    return { pages: [path.join(dir, PAGE)], indexPage: null, unreadable: [] };
  }
  const dir = info.isFile() ? path.dirname(target) : target;
  if (await statOrNull(path.join(dir, RUNS))) return renderScenarioAndIndex(dir);
  if (await statOrNull(path.join(dir, HISTORY))) {
    if (path.basename(path.dirname(dir)) === RUNS)
      return renderScenarioAndIndex(path.dirname(path.dirname(dir)));
    await renderRun(dir, await readRun(dir), []);
    return { pages: [path.join(dir, PAGE)], indexPage: null, unreadable: [] };
  }
  const children = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const pages: string[] = [];
  for (const child of children) pages.push(...(await renderScenario(path.join(dir, child))).pages);
  const index = await renderOutputFolder(dir);
  if (index.indexPage === null) {
    throw new ReportError('NoRunsFound', `${dir} holds no ${HISTORY}, nor runs of one below it.`, dir);
  }
  return { ...index, pages: [...pages, index.indexPage] };
}

/** A scenario folder's pages, then its output folder's index. */
async function renderScenarioAndIndex(scenarioDir: string): Promise<RenderResult> {
  const { pages } = await renderScenario(scenarioDir);
  const index = await renderOutputFolder(path.dirname(scenarioDir));
  return { ...index, pages: index.indexPage ? [...pages, index.indexPage] : pages };
}

interface StoredRun {
  dir: string;
  digest: RunDigest;
}

interface ScannedScenario {
  /** Oldest first. */
  runs: StoredRun[];
  unreadable: { dir: string; reason: string }[];
}

/** The scenario folder's runs, digested one at a time so memory holds one history at once. */
async function scanScenario(scenarioDir: string): Promise<ScannedScenario> {
  const runsDir = path.join(scenarioDir, RUNS);
  let dirs: string[] = [];
  if (await statOrNull(runsDir)) {
    dirs = (await readdir(runsDir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => path.join(runsDir, d.name));
  } else if (await statOrNull(path.join(scenarioDir, HISTORY))) {
    dirs = [scenarioDir];
  }
  const runs: StoredRun[] = [];
  const unreadable: ScannedScenario['unreadable'] = [];
  for (const dir of dirs) {
    try {
      const { history, verdicts } = await readRun(dir);
      runs.push({ dir, digest: digestRun(history, verdicts) });
    } catch (e) {
      if (!(e instanceof ReportError)) throw e;
      unreadable.push({ dir, reason: e.message });
    }
  }
  runs.sort((a, b) => a.digest.startedAt.localeCompare(b.digest.startedAt));
  return { runs, unreadable };
}

/** Renders every run of a scenario folder, each with the trend over the runs before it, and the latest copies. */
async function renderScenario(scenarioDir: string): Promise<ScannedScenario & { pages: string[] }> {
  const scanned = await scanScenario(scenarioDir);
  const pages: string[] = [];
  for (const [i, r] of scanned.runs.entries()) {
    const run = await readRun(r.dir);
    const earlier = scanned.runs.slice(0, i);
    await renderRun(r.dir, run, linked(earlier, r.dir));
    pages.push(path.join(r.dir, PAGE));
    if (i === scanned.runs.length - 1 && r.dir !== scenarioDir) {
      await renderScenarioCopies(scenarioDir, run, linked(earlier, scenarioDir), r.dir);
      pages.push(path.join(scenarioDir, PAGE));
    }
  }
  return { ...scanned, pages };
}

/**
 * Renders the output folder's index.html and junit.xml from the scenario folders in it; writes
 * nothing when it holds neither runs nor unreadable run folders.
 */
async function renderOutputFolder(outDir: string): Promise<RenderResult> {
  const invocation = await readInvocation(outDir);
  const entries: IndexEntry[] = [];
  const earlierEntries: IndexEntry[] = [];
  const latestRuns: JudgedRun[] = [];
  const unreadable: string[] = [];
  const children = (await readdir(outDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const name of children) {
    const scenarioDir = path.join(outDir, name);
    const scanned = await scanScenario(scenarioDir);
    unreadable.push(...scanned.unreadable.map((u) => `${path.relative(outDir, u.dir)}: ${u.reason}`));
    if (scanned.runs.length === 0) continue;
    // The scenario's run of the last invocation, if it had one; else it belongs to an earlier one.
    const current = invocation
      ? scanned.runs.filter((r) => invocation.runs.includes(path.relative(outDir, r.dir))).at(-1)
      : scanned.runs.at(-1);
    const latest = current ?? scanned.runs.at(-1)!;
    const entry = {
      scenario: latest.digest.scenario,
      href: href(outDir, path.join(scenarioDir, PAGE)),
      runs: linked(
        scanned.runs.filter((r) => r.digest.startedAt <= latest.digest.startedAt),
        outDir,
      ),
    };
    if (!current) {
      earlierEntries.push(entry);
      continue;
    }
    entries.push(entry);
    latestRuns.push(await readRun(latest.dir));
  }
  if (entries.length === 0 && earlierEntries.length === 0 && unreadable.length === 0)
    return { pages: [], indexPage: null, unreadable };
  const indexPage = path.join(outDir, PAGE);
  const model = buildIndexModel(entries, unreadable, earlierEntries);
  await writeAtomically(indexPage, renderIndexPage(model));
  await writeAtomically(path.join(outDir, JUNIT), renderJUnit(latestRuns));
  return { pages: [indexPage], indexPage, unreadable, score: model.score.value };
}

/** A run's page and JUnit into `dir`; the run's own files (evidence) lie in `runDir`. */
async function renderRun(dir: string, run: JudgedRun, earlier: LinkedRun[], runDir = dir): Promise<void> {
  const evidence = (run.history.metadata.evidence ?? []).map((file) => ({
    label: file,
    href: href(dir, path.join(runDir, file)),
  }));
  await writeAtomically(
    path.join(dir, PAGE),
    renderRunPage(buildReportModel(run.history, run.verdicts, earlier, evidence)),
  );
  await writeAtomically(path.join(dir, JUNIT), renderJUnit([run]));
}

/** The scenario folder's copy of its latest run: the same files, links relative to the scenario folder. */
async function renderScenarioCopies(
  scenarioDir: string,
  run: JudgedRun,
  earlier: LinkedRun[],
  runDir: string,
): Promise<void> {
  await writeAtomically(path.join(scenarioDir, HISTORY), JSON.stringify(run.history));
  await writeAtomically(path.join(scenarioDir, VERDICTS), JSON.stringify(run.verdicts, null, 2));
  await renderRun(scenarioDir, run, earlier, runDir);
}

function linked(runs: readonly StoredRun[], from: string): LinkedRun[] {
  return runs.map((r) => ({ digest: r.digest, href: href(from, path.join(r.dir, PAGE)) }));
}

/** A relative link from a folder to a file, with forward slashes whatever the platform. */
function href(fromDir: string, file: string): string {
  return path.relative(fromDir, file).split(path.sep).map(encodeURIComponent).join('/');
}

/** Reads and checks a run folder's history.json and verdicts.json. */
export async function readRun(dir: string, historyFile = HISTORY): Promise<JudgedRun> {
  const historyPath = path.join(dir, historyFile);
  const history = await readJson(historyPath);
  if (!isHistory(history)) {
    throw new ReportError(
      'UnsupportedHistory',
      `${historyPath} is not a History of ${HISTORY_API_VERSION} (apiVersion ${JSON.stringify((history as { apiVersion?: unknown })?.apiVersion)}).`,
      historyPath,
    );
  }
  const verdictsPath = path.join(dir, VERDICTS);
  if (!(await statOrNull(verdictsPath))) {
    throw new ReportError(
      'VerdictsNotFound',
      `${verdictsPath} is missing: judge the run first (crucible check ${historyPath}).`,
      verdictsPath,
    );
  }
  const verdicts = await readJson(verdictsPath);
  if (!Array.isArray(verdicts) || !verdicts.every(isVerdict)) {
    throw new ReportError('InvalidVerdicts', `${verdictsPath} is not a list of verdicts.`, verdictsPath);
  }
  return { history, verdicts };
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ReportError('RunFileUnreadable', `${file} could not be read: ${(e as Error).message}`, file);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ReportError('RunFileUnreadable', `${file} is not JSON: ${(e as Error).message}`, file);
  }
}

/** Enough of the shape that rendering cannot trip over it; the apiVersion vouches for the rest. */
function isHistory(x: unknown): x is History {
  const h = x as Partial<History> | null;
  return (
    typeof h === 'object' &&
    h !== null &&
    h.apiVersion === HISTORY_API_VERSION &&
    h.kind === 'History' &&
    typeof h.metadata?.scenario?.name === 'string' &&
    typeof h.metadata.startedAt === 'string' &&
    Array.isArray(h.events) &&
    Array.isArray(h.series?.load) &&
    Array.isArray(h.series.workloads) &&
    Array.isArray(h.series.nodes) &&
    Array.isArray(h.series.api)
  );
}

function isVerdict(x: unknown): x is Verdict {
  const v = x as Partial<Verdict> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.check === 'string' &&
    (v.outcome === 'pass' || v.outcome === 'fail' || v.outcome === 'unknown') &&
    Array.isArray(v.evidence)
  );
}

/** A reader never sees half a file: write beside, then rename over. */
async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}

async function statOrNull(p: string) {
  try {
    return await stat(p);
  } catch {
    return null;
  }
}

/** The scenario's folder name: its name with characters outside [A-Za-z0-9._-] replaced by `_`. */
export function scenarioFolderName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return safe || '_';
}

/** A run's folder name: its start time with `:` replaced by `-`. */
export function runId(startedAt: string): string {
  return startedAt.replace(/:/g, '-').replace(/[^A-Za-z0-9._+-]/g, '_');
}

/** Adds a run to the invocation's record; a run of another invocation starts the record afresh. */
async function recordInvocation(outDir: string, id: string, runDir: string): Promise<void> {
  const previous = await readInvocation(outDir);
  const runs = previous?.id === id ? previous.runs : [];
  await writeInvocation(outDir, { id, runs: [...runs, path.relative(outDir, runDir)] });
}

/**
 * Records that an invocation began and has written no run yet, so that the folder never passes off
 * an earlier invocation's runs as its own: a shard that ran nothing, or a run that stopped before
 * its first report, leaves a folder that `report --merge` reads as having run nothing.
 */
export async function beginInvocation(outDir: string, id: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeInvocation(outDir, { id, runs: [] });
}

/** Records which runs of the output folder the index's score and root junit.xml are about. */
export async function writeInvocation(outDir: string, invocation: Invocation): Promise<void> {
  await writeAtomically(path.join(outDir, INVOCATION), JSON.stringify(invocation, null, 2));
}

/** The record of the invocation that last wrote into the output folder, if it has one. */
export async function readInvocation(outDir: string): Promise<Invocation | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path.join(outDir, INVOCATION), 'utf8')) as Invocation;
    return typeof parsed.id === 'string' && Array.isArray(parsed.runs) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps each scenario's `keep` newest runs in the output folder and deletes the older run folders
 * (`crucible run --keep-runs N`), never one of the last invocation; then renders the scenario pages
 * and the index again so trends and links show what is left. Returns the run folders deleted.
 */
export async function pruneRuns(outDir: string, keep: number): Promise<string[]> {
  if (!Number.isInteger(keep) || keep < 1)
    throw new RangeError(`keep must be a whole number ≥ 1, not ${keep}`);
  const invocation = await readInvocation(outDir);
  const deleted: string[] = [];
  const children = (await readdir(outDir, { withFileTypes: true })).filter((d) => d.isDirectory());
  for (const child of children) {
    const scenarioDir = path.join(outDir, child.name);
    const { runs } = await scanScenario(scenarioDir);
    const old = runs
      .filter((r) => r.dir !== scenarioDir)
      .slice(0, Math.max(0, runs.length - keep))
      .filter((r) => !invocation?.runs.includes(path.relative(outDir, r.dir)));
    for (const r of old) {
      await rm(r.dir, { recursive: true, force: true });
      deleted.push(r.dir);
    }
    if (old.length) await renderScenario(scenarioDir);
  }
  if (deleted.length) await renderOutputFolder(outDir);
  return deleted;
}
