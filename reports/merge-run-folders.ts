import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ReportError } from './report-error.js';
import {
  readInvocation,
  renderFromDirectory,
  writeInvocation,
  type Invocation,
  type RenderResult,
} from './write-report.js';

/** A folder to merge: as it was named, resolved, and its last invocation. */
interface Shard {
  given: string;
  dir: string;
  invocation: Invocation;
}

/** What mergeRunFolders did. */
export interface MergeResult extends RenderResult {
  /** The scenario folders the merged invocation ran, sorted. */
  scenarios: string[];
  /** Run folders copied into the output folder (the shards' runs and the earlier runs they kept). */
  copied: number;
}

/**
 * Joins the output folders of the shards of one suite (`crucible run --shard i/n --out DIR`) into
 * `outDir`, as `crucible report --merge` does: every run folder of every shard is copied (the
 * shards' own runs, and the earlier runs each kept for trends and durations), the shards' last
 * invocations become one, and the whole folder is rendered again. The index, its score and the
 * root junit.xml are then byte for byte what one unsharded run of the same runs into one folder
 * gives, since they are rendered from the folder's contents alone.
 *
 * A scenario that the last invocations of two shards both ran is refused (ReportError
 * OverlappingShards), before anything is written: which of the two runs would count is a guess,
 * and it means the shards did not split the same suite. An earlier run found in several folders
 * (the same history restored into each shard) is the same run and copied once. `outDir` may be
 * one of the shards' folders; the others are merged into it.
 */
export async function mergeRunFolders(sources: readonly string[], outDir: string): Promise<MergeResult> {
  if (sources.length === 0) throw new ReportError('NoRunsFound', 'no folder to merge');
  const out = path.resolve(outDir);
  const shards: Shard[] = [];
  for (const source of sources) {
    const dir = path.resolve(source);
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory())
      throw new ReportError('NoRunsFound', `${source} is not a folder (a shard's --out folder).`, source);
    const invocation = await readInvocation(dir);
    if (!invocation)
      throw new ReportError(
        'NotAnOutputFolder',
        `${source} has no invocation.json: it is not the --out folder of a crucible run.`,
        source,
      );
    if (shards.some((s) => s.dir === dir)) continue; // the same folder named twice
    shards.push({ given: source, dir, invocation });
  }
  refuseOverlaps(shards);

  await mkdir(out, { recursive: true });
  const ours = new Set(shards.flatMap((s) => s.invocation.runs.map((r) => `${s.dir}\0${r}`)));
  let copied = 0;
  for (const { dir } of shards) {
    if (dir === out) continue;
    for (const run of await runFolders(dir)) {
      const target = path.join(out, run);
      const isShardsOwn = ours.has(`${dir}\0${run}`);
      if (!isShardsOwn && (await stat(target).catch(() => null))) continue;
      // A shard's own run replaces whatever lies at its place; its page is rendered again below.
      await rm(target, { recursive: true, force: true });
      await cp(path.join(dir, run), target, { recursive: true });
      copied++;
    }
  }
  const runs = shards.flatMap((s) => s.invocation.runs);
  await writeInvocation(out, { id: shards.map((s) => s.invocation.id).join('+'), runs });
  const rendered = await renderFromDirectory(out);
  return { ...rendered, scenarios: [...new Set(runs.map(scenarioOf))].sort(), copied };
}

/** Throws one OverlappingShards error naming every scenario two shards both ran, and where. */
function refuseOverlaps(shards: readonly Shard[]): void {
  const ranBy = new Map<string, string[]>();
  for (const shard of shards) {
    for (const scenario of new Set(shard.invocation.runs.map(scenarioOf))) {
      ranBy.set(scenario, [...(ranBy.get(scenario) ?? []), shard.given]);
    }
  }
  const overlaps = [...ranBy].filter(([, folders]) => folders.length > 1);
  if (overlaps.length === 0) return;
  throw new ReportError(
    'OverlappingShards',
    [
      `${overlaps.length === 1 ? 'a scenario was' : `${overlaps.length} scenarios were`} run by more than one of the folders; each belongs to one shard:`,
      ...overlaps.map(([scenario, folders]) => `  ${scenario}: ${folders.join(', ')}`),
      'Run every shard with the same scenarios, --tag and --shard i/N (the same N), and merge each shard once.',
    ].join('\n'),
  );
}

/** The scenario folder a run folder (`<scenario>/runs/<run-id>`) lies in. */
function scenarioOf(run: string): string {
  return run.split(/[\\/]/)[0]!;
}

/**
 * Every run folder of an output folder, relative to it: `<scenario>/runs/<run-id>`, or
 * `<scenario>` for a scenario folder that holds one run of its own and no runs/ folder.
 */
async function runFolders(outDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const scenario of await subfolderNames(outDir)) {
    const runs = await subfolderNames(path.join(outDir, scenario, 'runs'));
    if (runs.length) found.push(...runs.map((r) => path.join(scenario, 'runs', r)));
    else if (await stat(path.join(outDir, scenario, 'history.json')).catch(() => null)) found.push(scenario);
  }
  return found;
}

async function subfolderNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}
