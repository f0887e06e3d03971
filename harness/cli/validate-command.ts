import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { ConfigError } from '../support/decode-yaml.js';
import { findScenarioFiles, notAScenarioWords, parseScenario } from '../scenario/index.js';

/**
 * `crucible validate FILE…`: decodes scenario files as a run would, without running them, and
 * lists every problem with its line. A folder stands for the scenario files under it: every
 * `*.yaml` of kind Scenario; the others (manifests, cluster specs) are listed as skipped on
 * stderr. Exit code 1 when any is invalid.
 */
export function validateCommand(): Command {
  return new Command('validate')
    .description(
      'check scenario files (and the manifests and cluster files they reference) without running them',
    )
    .argument('<paths...>', 'scenario files, or folders of them')
    .action(async (paths: string[]) => {
      const { scenarios, skipped, notScenarios, missing } = await findScenarioFiles(paths);
      for (const path of missing) process.stdout.write(`${path}: no such file or folder\n`);
      for (const file of notScenarios) process.stdout.write(`${notAScenarioWords(file)}\n`);
      for (const file of skipped) process.stderr.write(`skipped ${notAScenarioWords(file)}\n`);
      if (missing.length > 0 || notScenarios.length > 0) process.exitCode = 1;
      if (scenarios.length === 0 && process.exitCode !== 1) {
        process.stdout.write(`no scenario files in ${paths.join(', ')}\n`);
        process.exitCode = 1;
      }
      for (const file of scenarios) {
        const { ok, report } = await validate(file);
        if (!ok) process.exitCode = 1;
        process.stdout.write(report + '\n');
      }
    });
}

/** `ok  <file>  (<n> faults, <m> checks)`, or the file's problems, one a line. */
async function validate(file: string): Promise<{ ok: boolean; report: string }> {
  try {
    // The seed only picks the nemesis's fault types: the number of faults does not depend on it.
    const scenario = await parseScenario(await readFile(file, 'utf8'), file, { seed: 0 });
    const faults = count(scenario.faults.length, 'fault');
    return { ok: true, report: `ok  ${file}  (${faults}, ${count(scenario.checks.length, 'check')})` };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, report: e.message };
    return { ok: false, report: `${file}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
