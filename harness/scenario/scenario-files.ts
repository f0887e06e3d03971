import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A YAML file that is not a scenario, and the kinds it holds. */
export interface NotAScenario {
  file: string;
  kinds: string[];
}

/** The scenario files among the paths given on a command line, and what was left out. */
export interface ScenarioFiles {
  /** In the order given; a folder's files in name order. */
  scenarios: string[];
  /** YAML found under a folder whose kind is not Scenario (manifests, cluster specs): not an error. */
  skipped: NotAScenario[];
  /** Files named one by one whose kind is not Scenario: a mistake, which the command reports. */
  notScenarios: NotAScenario[];
  /** Paths that do not exist. */
  missing: string[];
}

/**
 * Finds the scenarios among files and folders, as `crucible run` and `crucible validate` take
 * them: under a folder (at any depth), every `*.yaml` and `*.yml` of kind Scenario; a file named
 * on its own must be one too. A file that says no kind, or whose YAML does not parse, is taken
 * for a scenario, so that decoding it reports its problems.
 */
export async function findScenarioFiles(paths: readonly string[]): Promise<ScenarioFiles> {
  const found: ScenarioFiles = { scenarios: [], skipped: [], notScenarios: [], missing: [] };
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      found.missing.push(path);
      continue;
    }
    const named = !info.isDirectory();
    const files = named ? [path] : await yamlFilesUnder(path);
    for (const file of files) {
      const kinds = kindsOf(await readFile(file, 'utf8'));
      if (kinds.length === 0 || kinds.includes('Scenario')) found.scenarios.push(file);
      else (named ? found.notScenarios : found.skipped).push({ file, kinds });
    }
  }
  return found;
}

/** `echo.yaml (kinds Deployment and Service, not a Scenario)`. */
export function notAScenarioWords({ file, kinds }: NotAScenario): string {
  const listed = kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}` : kinds[0];
  return `${file} (kind${kinds.length > 1 ? 's' : ''} ${listed}, not a Scenario)`;
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The top-level `kind` of each document of a YAML file, each once; none when it does not parse. */
function kindsOf(text: string): string[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return [];
  const kinds = docs.map((d) => d.get('kind')).filter((k): k is string => typeof k === 'string');
  return [...new Set(kinds)];
}
