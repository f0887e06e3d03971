/**
 * Regenerates scenarios/scenario.schema.json, the JSON Schema editors use for scenario files:
 * `npx tsx harness/scenario/write-scenario-schema.ts`. A test fails while the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { scenarioJsonSchema } from './scenario-spec.js';

export const SCENARIO_SCHEMA_FILE = fileURLToPath(
  new URL('../../scenarios/scenario.schema.json', import.meta.url),
);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = (await resolveConfig(SCENARIO_SCHEMA_FILE)) ?? {};
  const text = await format(JSON.stringify(scenarioJsonSchema()), {
    ...config,
    filepath: SCENARIO_SCHEMA_FILE,
  });
  await writeFile(SCENARIO_SCHEMA_FILE, text);
  process.stdout.write(`wrote ${SCENARIO_SCHEMA_FILE}\n`);
}
