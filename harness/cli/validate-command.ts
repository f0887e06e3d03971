import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../support/decode-yaml.js';
import { parseScenario } from '../scenario/scenario-spec.js';

/**
 * `crucible validate FILE…`: decodes scenario files as a run would, without running them, and
 * lists every problem with its line. A folder stands for the scenario files under it: every
 * `*.yaml` except those of another kind (manifests, cluster specs). Exit code 1 when any is invalid.
 */
export function validateCommand(): Command {
  return new Command('validate')
    .description(
      'check scenario files (and the manifests and cluster files they reference) without running them',
    )
    .argument('<paths...>', 'scenario files, or folders of them')
    .action(async (paths: string[]) => {
      const files: string[] = [];
      for (const path of paths) {
        const info = await stat(path).catch(() => undefined);
        if (!info) {
          process.stdout.write(`${path}: no such file or folder\n`);
          process.exitCode = 1;
        } else if (info.isDirectory()) files.push(...(await scenariosUnder(path)));
        else files.push(path);
      }
      if (files.length === 0 && process.exitCode !== 1) {
        process.stdout.write(`no scenario files in ${paths.join(', ')}\n`);
        process.exitCode = 1;
      }
      for (const file of files) {
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

/** The `*.yaml` files under `dir`, in name order, leaving out those whose `kind` is not Scenario. */
async function scenariosUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const yamls = entries
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const scenarios: string[] = [];
  for (const file of yamls) if (isScenario(await readFile(file, 'utf8'))) scenarios.push(file);
  return scenarios;
}

/** A file says its kind at the top level; one without any `kind` is taken for a scenario, so that its problems show. */
function isScenario(text: string): boolean {
  const kinds = [...text.matchAll(/^kind:\s*["']?([A-Za-z]+)/gm)].map((m) => m[1]);
  return kinds.length === 0 || kinds.includes('Scenario');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
