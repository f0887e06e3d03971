import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRUCIBLE_CLI } from '../../testing/crucible-cli.js';
import { nightlyIt } from '../../testing/nightly.js';
import { dockerEngineAnswers } from '../cluster/index.js';
import type { Scenario } from '../scenario/scenario.js';
import { parseScenario } from '../scenario/scenario-spec.js';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The scenarios of a suite folder tagged `quick`: what CI runs on every change. */
async function quickScenarios(suite: string): Promise<Scenario[]> {
  const dir = join(SCENARIOS, suite);
  const all = await Promise.all(
    (await readdir(dir))
      .filter((f) => f.endsWith('.yaml'))
      .map(async (f) => parseScenario(await readFile(join(dir, f), 'utf8'), join(dir, f), { seed: 1 })),
  );
  return all.filter((s) => s.tags.includes('quick'));
}

/** `crucible run --tag quick <suite>`, as CI and a user run it. */
async function runQuick(
  home: string,
  suite: string,
  provider: 'docker' | 'process',
): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        CRUCIBLE_CLI,
        'run',
        '--provider',
        provider,
        // Three scenarios at a time: most of a scenario's time is spent waiting on its cluster.
        '--parallel',
        '3',
        '--seed',
        '1',
        '--tag',
        'quick',
        '--out',
        join(home, 'out'),
        '--junit',
        join(home, `${suite}.xml`),
        join(SCENARIOS, suite),
      ],
      { env: { ...process.env, CRUCIBLE_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (c) => resolve({ code: c ?? 1, stdout: out }));
  });
}

/**
 * Every change runs the quick conformance subset on the process provider, three scenarios at a
 * time (9 scenarios, about 1 min 10 s); the nightly recipe runs both quick subsets on docker (the conformance one
 * about 3 min at three at a time). The chaos subset's scenarios each run elsewhere on every change
 * (node loss on the real Toxiproxy, the outage in the kube-proxy and sabotage tests, isolation in
 * the pod tests).
 */
for (const [suite, provider, atLeast, everyChange] of [
  ['conformance', 'process', 6, true],
  ['conformance', 'docker', 6, false],
  ['chaos', 'docker', 3, false],
] as const) {
  describe(`the quick ${suite} scenarios on the ${provider} provider, against a healthy orchestrator`, function () {
    this.timeout(900_000);

    (everyChange ? it : nightlyIt)('all pass, each check a passing JUnit testcase', async function () {
      if (provider === 'docker' && !(await dockerEngineAnswers())) this.skip();
      const quick = await quickScenarios(suite);
      expect(quick.length, `scenarios/${suite} tagged quick`).to.be.at.least(atLeast);
      const home = await mkdtemp(join(tmpdir(), `crucible-${suite}-`));
      try {
        const { code, stdout } = await runQuick(home, suite, provider);
        expect(code, stdout).to.equal(0);
        for (const s of quick) expect(stdout).to.include(`✔ ${s.name}`);
        expect(stdout).to.not.match(/^\s+[✘?] /m);
        const xml = await readFile(join(home, `${suite}.xml`), 'utf8');
        const checks = quick.reduce((n, s) => n + s.checks.length, 0);
        expect(xml.match(/<testcase /g)).to.have.length(checks);
        expect(xml).to.not.include('<failure');
        // In the order given, whatever order the parallel runs ended in.
        const cases = [...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]);
        expect(cases).to.deep.equal(quick.map((s) => s.name));
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });
  });
}
