import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { CHECK_SHAPES } from '../checks/index.js';
import { FAULTS } from '../faults/index.js';
import { scenarioReference } from './scenario-reference.js';
import { SCENARIOS_DOC, withScenarioReference } from './write-scenario-reference.js';

describe('the scenario reference in docs/scenarios.md', () => {
  it('is up to date with the schemas and catalogues', async () => {
    const committed = await readFile(SCENARIOS_DOC, 'utf8');
    expect(committed, 'stale: run npx tsx harness/scenario/write-scenario-reference.ts').to.equal(
      await withScenarioReference(committed),
    );
  });

  it('lists every fault with its targets and options, pod-kill among them', () => {
    const reference = scenarioReference();
    for (const type of Object.keys(FAULTS)) expect(reference).to.include(`#### \`${type}\``);
    const podKill = reference.slice(reference.indexOf('#### `pod-kill`')).split('\n#### ')[0]!;
    expect(podKill).to.include('- Targets: pods of the namespace');
    expect(podKill).to.include('- `namespace` (string, required): the namespace whose pods are deleted');
    expect(podKill).to.include('- `selector` (string): a label selector');
  });

  it('lists every check with each of its thresholds and select keys', () => {
    const reference = scenarioReference();
    for (const [type, shape] of Object.entries(CHECK_SHAPES)) {
      const section = reference.slice(reference.indexOf(`#### \`${type}\``)).split('\n#### ')[0]!;
      for (const key of [...Object.keys(shape.thresholds), ...Object.keys(shape.select)])
        expect(section, `${type} ${key}`).to.include(`- \`${key}\``);
    }
  });

  it('lists every scenario key, the per-type ones included', () => {
    const reference = scenarioReference();
    for (const key of [
      'load[].rate',
      'faults.schedule[].options',
      'checks[].thresholds',
      'timeouts.recovery',
    ])
      expect(reference).to.include(`- \`${key}\` (`);
  });
});
