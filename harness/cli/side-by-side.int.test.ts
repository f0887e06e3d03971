import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crucible } from '../../testing/crucible-cli.js';
import { nightlyIt } from '../../testing/nightly.js';

const QUICK = fileURLToPath(new URL('../../scenarios/quick/pod-kill.yaml', import.meta.url));
const RUNS = 4;

/**
 * Runs on one machine never collide: four runs of the quick scenario started at the same moment,
 * each from a CRUCIBLE_HOME of its own as parallel CI jobs would, get four loopback slots and all
 * pass. Four clusters at once load two cores heavily: the nightly recipe runs it.
 */
describe('runs side by side (real CLI)', function () {
  this.timeout(900_000);
  const homes: string[] = [];
  after(async () => {
    for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
  });

  for (const provider of ['process', 'docker'])
    nightlyIt(
      `${provider}: ${RUNS} runs of the quick scenario started at once all pass, each on a slot of its own`,
      async () => {
        const started = await Promise.all(
          Array.from({ length: RUNS }, async () => {
            const home = await mkdtemp(join(tmpdir(), 'crucible-side-'));
            homes.push(home);
            return home;
          }),
        );
        const runs = await Promise.all(
          started.map((home) =>
            crucible(home, ['run', '--provider', provider, '--out', join(home, 'out'), QUICK]),
          ),
        );
        const slots = runs.map((run) => /apiserver: https:\/\/127\.0\.(\d+)\.254/.exec(run.stderr)?.[1]);
        for (const run of runs) expect(run.code, run.stderr.slice(-3000)).to.equal(0);
        expect(slots.every(Boolean), slots.join(', ')).to.equal(true);
        expect(new Set(slots).size, `slots ${slots.join(', ')}`).to.equal(RUNS);
      },
    );
});
