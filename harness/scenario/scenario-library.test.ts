import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from './scenario.js';
import { parseScenario } from './scenario-spec.js';
import { SABOTAGES, sabotageFlag, type SabotageName } from '../../orchestrator/api/sabotage.js';

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

  it('has at least 10 sabotages, each naming the one check that must catch its known bug (and none but its steps beside it)', async () => {
    const sabotage = await suite('sabotage');
    expect(sabotage.length).to.be.at.least(10);
    for (const s of sabotage) {
      expect(s.tags, s.name).to.include('sabotage');
      expect(s.expect, s.name).to.not.equal(undefined);
      // Besides it, only the steps' own check, which must pass as on a healthy cluster.
      expect(
        s.checks.map((c) => c.name),
        s.name,
      ).to.include(s.expect!.fails);
      const others = s.checks.filter((c) => c.name !== s.expect!.fails);
      expect(
        others.map((c) => c.type),
        s.name,
      ).to.satisfy((types: string[]) => types.every((t) => t === 'steps'));
    }
    // Every switch the orchestrator carries has its scenario.
    const switched = sabotage.flatMap((s) =>
      Object.values(s.cluster.extraArgs)
        .flat()
        .filter((a) => a.startsWith('--sabotage-')),
    );
    expect(new Set(switched)).to.have.keys((Object.keys(SABOTAGES) as SabotageName[]).map(sabotageFlag));
  });

  it('keeps known bugs out of the chaos, conformance, quick and scale suites', async () => {
    for (const name of ['conformance', 'chaos', 'quick', 'scale'])
      for (const s of await suite(name)) {
        expect(s.expect, s.name).to.equal(undefined);
        expect(s.tags, s.name).to.not.include('sabotage');
        expect(s.cluster.sabotage, s.name).to.deep.equal([]);
      }
  });

  it('names every scenario uniquely across the suites', async () => {
    const names = [
      ...(await suite('conformance')),
      ...(await suite('chaos')),
      ...(await suite('quick')),
      ...(await suite('scale')),
      ...(await suite('sabotage')),
    ].map((s) => s.name);
    expect(new Set(names).size).to.equal(names.length);
  });
});
