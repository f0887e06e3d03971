import { resolve } from 'node:path';
import type { Verdict } from '../checks/index.js';
import type { History } from '../history/index.js';
import { writeRunReport, type WrittenReport } from '../../reports/index.js';

/**
 * Writes a run into an output folder as `crucible run --out` does: history.json, verdicts.json,
 * its evidence, a self-contained HTML report and JUnit, and the folder's index with trends.
 */
export function writeReport(
  outDir: string,
  run: { history: History; verdicts: readonly Verdict[]; evidence?: ReadonlyMap<string, string> },
): Promise<WrittenReport> {
  return writeRunReport(resolve(outDir), run.history, run.verdicts, run.evidence);
}
