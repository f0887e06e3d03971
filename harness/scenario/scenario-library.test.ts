import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from './scenario.js';
import { parseScenario } from './scenario-spec.js';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

async function suite(name: string): Promise<Scenario[]> {
  const dir = join(SCENARIOS, name);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (f) => parseScenario(await readFile(join(dir, f), 'utf8'), join(dir, f), { seed: 1 })),
  );
}

describe('the scenario library', () => {
  it('has at least 15 conformance behaviours, each described in MUST language and judged by its steps', async () => {
    const conformance = await suite('conformance');
    expect(conformance.length).to.be.at.least(15);
    for (const s of conformance) {
      expect(s.tags, s.name).to.include('conformance');
      expect(s.description, s.name).to.match(/\bMUST\b/);
      expect(s.steps.length, s.name).to.be.greaterThan(0);
      expect(
        s.checks.map((c) => c.type),
        s.name,
      ).to.include('steps');
    }
  });

  it('has at least 10 chaos experiments, each with faults and checks', async () => {
    const chaos = await suite('chaos');
    expect(chaos.length).to.be.at.least(10);
    for (const s of chaos) {
      expect(s.tags, s.name).to.include('chaos');
      expect(s.faults.length, s.name).to.be.greaterThan(0);
      expect(s.checks.length, s.name).to.be.greaterThan(0);
    }
  });

  it('names every scenario uniquely across the suites', async () => {
    const names = [
      ...(await suite('conformance')),
      ...(await suite('chaos')),
      ...(await suite('quick')),
      ...(await suite('scale')),
    ].map((s) => s.name);
    expect(new Set(names).size).to.equal(names.length);
  });
});
