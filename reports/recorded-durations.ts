import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ReportError } from './report-error.js';
import { runEndT } from './run-span.js';
import { readRun } from './write-report.js';

/** How many of a scenario's newest runs are looked at for one that finished. */
const NEWEST_RUNS_TRIED = 5;

/**
 * The recorded length of each scenario in an output folder (see write-report.ts for its layout),
 * by scenario name, in ms: its newest run that was not aborted (an aborted run's length says
 * little about the next one), else its newest run. What `crucible run --shard` balances by.
 * Scenarios without a readable run are left out; a folder that does not exist gives an empty map.
 */
export async function recordedDurations(outDir: string): Promise<Map<string, number>> {
  const durations = new Map<string, number>();
  const scenarioDirs = await subfolders(outDir);
  for (const scenarioDir of scenarioDirs) {
    // Run folders are named by their start time, so the name order is the time order.
    const runs = (await subfolders(path.join(scenarioDir, 'runs'))).sort().reverse();
    let chosen: { name: string; ms: number } | undefined;
    for (const dir of (runs.length ? runs : [scenarioDir]).slice(0, NEWEST_RUNS_TRIED)) {
      const history = await readRun(dir).then(
        (run) => run.history,
        (e: unknown) => {
          if (e instanceof ReportError) return undefined;
          throw e;
        },
      );
      if (!history) continue;
      const recorded = { name: history.metadata.scenario.name, ms: runEndT(history) };
      if (!history.metadata.aborted) {
        chosen = recorded;
        break;
      }
      chosen ??= recorded;
    }
    if (chosen && !durations.has(chosen.name)) durations.set(chosen.name, chosen.ms);
  }
  return durations;
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => path.join(dir, d.name))
      .sort();
  } catch {
    return [];
  }
}
