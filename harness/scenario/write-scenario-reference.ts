/**
 * Regenerates the reference part of docs/scenarios.md (every key, fault, check and window, written
 * from the schemas and catalogues) between its markers, leaving the prose around it as it is:
 * `npx tsx harness/scenario/write-scenario-reference.ts`. A test fails while the committed file is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { scenarioReference } from './scenario-reference.js';

export const SCENARIOS_DOC = fileURLToPath(new URL('../../docs/scenarios.md', import.meta.url));

const BEGIN =
  '<!-- reference: begin. Written by `npx tsx harness/scenario/write-scenario-reference.ts` from the schemas and catalogues: edit those, not this. -->';
const END = '<!-- reference: end -->';

/** The page with its reference part written afresh, formatted as Prettier formats the repository. */
export async function withScenarioReference(page: string): Promise<string> {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${SCENARIOS_DOC} has lost its reference markers`);
  const text = `${page.slice(0, begin + BEGIN.length)}\n\n${scenarioReference()}\n${page.slice(end)}`;
  const config = (await resolveConfig(SCENARIOS_DOC)) ?? {};
  return format(text, { ...config, filepath: SCENARIOS_DOC });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(SCENARIOS_DOC, await withScenarioReference(await readFile(SCENARIOS_DOC, 'utf8')));
  process.stdout.write(`wrote ${SCENARIOS_DOC}\n`);
}
