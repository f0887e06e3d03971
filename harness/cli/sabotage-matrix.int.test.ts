import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crucible, type CrucibleRun } from '../../testing/crucible-cli.js';
import { nightlyIt } from '../../testing/nightly.js';
import { dockerEngineAnswers } from '../cluster/index.js';

const SABOTAGE = fileURLToPath(new URL('../../scenarios/sabotage/', import.meta.url));
const MANIFESTS = fileURLToPath(new URL('../../scenarios/manifests/', import.meta.url));

/** The sabotage scenario and its off-variant (switch and expect removed), run at once. */
async function bugAndOff(home: string, file: string): Promise<{ bug: CrucibleRun; off: CrucibleRun }> {
  const text = await readFile(join(SABOTAGE, file), 'utf8');
  const off = text
    .split('\n')
    // In a sabotage scenario the cluster's extraArgs and sabotage lines are the bug, nothing else.
    .filter((l) => !/^\s*(extraArgs|sabotage): [[{]/.test(l) && !/^expect:/.test(l))
    .join('\n')
    .replace(/^name: (.*)$/m, 'name: $1-off')
    .replaceAll('../manifests/', MANIFESTS);
  expect(off).to.not.match(/^\s*(extraArgs|sabotage): [[{]|^expect:/m);
  const offFile = join(home, `off-${basename(file)}`);
  await writeFile(offFile, off);
  const run = (path: string, out: string) =>
    crucible(home, ['run', '--provider', 'docker', '--seed', '1', '--out', join(home, out), path]);
  const [bug, offRun] = await Promise.all([run(join(SABOTAGE, file), 'bug'), run(offFile, 'off')]);
  return { bug, off: offRun };
}

/** A home of its own for a describe's runs, on docker only. */
function dockerHome(): () => string {
  let home = '';
  before(async function () {
    if (!(await dockerEngineAnswers(2000))) this.skip();
    home = await mkdtemp(join(tmpdir(), 'crucible-sabotage-'));
  });
  after(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });
  return () => home;
}

/**
 * The quick part of the sabotage matrix (scenarios/sabotage tagged quick), through the real CLI
 * on docker: each known bug is caught by the check it names, with evidence naming the cause, and
 * the same scenario without its switch (and so without `expect`) passes that check. The bug and
 * its off-variant run side by side to keep the suite short; the whole matrix is the nightly's
 * (`crucible run scenarios/sabotage`).
 */
describe('the sabotage matrix, quick subset (real CLI, docker)', function () {
  this.timeout(240_000);
  const home = dockerHome();

  it('kube-proxy forwarding to a never-ready pod is caught by availability, naming the pod; without the switch it passes', async () => {
    const { bug, off } = await bugAndOff(home(), 'kube-proxy-forwards-to-unready-endpoints.yaml');
    expect(bug.code, bug.stdout + bug.stderr).to.equal(0);
    expect(bug.stdout)
      .to.match(/✔ sabotage caught: expected app available to fail/)
      .and.match(/requests failed: success ratio [\d.]+%, below 99%/)
      .and.match(/Failed requests answered by a pod that named itself: [\d,]+ by echo\/echo-never-ready/)
      .and.include('sabotage: caught 1 of 1 known bug');
    expect(off.code, off.stdout + off.stderr).to.equal(0);
    expect(off.stdout)
      .to.match(/✔ app available/)
      .and.not.match(/sabotage (caught|missed|misattributed|inconclusive)|known bug/);
  });

  it('a kubelet restarting its pods in a control-plane outage is caught by no-restarts, naming the pods; without the switch it passes', async () => {
    const { bug, off } = await bugAndOff(home(), 'kubelet-restarts-pods-without-apiserver.yaml');
    expect(bug.code, bug.stdout + bug.stderr).to.equal(0);
    expect(bug.stdout)
      .to.match(/✔ sabotage caught: expected no restarts to fail/)
      .and.match(/Container echo of pod echo\/echo-[\w-]+ on worker-1 restarted between .*pid \d+ → \d+/);
    expect(off.code, off.stdout + off.stderr).to.equal(0);
    expect(off.stdout).to.match(/✔ no restarts/);
  });
});

/**
 * The whole matrix, nightly: every sabotage scenario is caught by the check its `expect` names,
 * and without its switch passes that check (the checks are not failing for another reason).
 */
describe('the sabotage matrix, whole (real CLI, docker)', function () {
  this.timeout(600_000);
  const home = dockerHome();
  const quick = [
    'kube-proxy-forwards-to-unready-endpoints.yaml',
    'kubelet-restarts-pods-without-apiserver.yaml',
  ];
  for (const file of readdirSync(SABOTAGE).filter((f) => f.endsWith('.yaml') && !quick.includes(f)))
    nightlyIt(`${file}: caught by the check it names; without its switch that check passes`, async () => {
      const check = /^expect: \{ fails: (.+) \}$/m.exec(readFileSync(join(SABOTAGE, file), 'utf8'))?.[1];
      expect(check, 'the scenario names the check that catches it').to.be.a('string');
      const { bug, off } = await bugAndOff(home(), file);
      expect(bug.code, bug.stdout + bug.stderr).to.equal(0);
      expect(bug.stdout).to.include(`✔ sabotage caught: expected ${check} to fail`);
      expect(off.code, off.stdout + off.stderr).to.equal(0);
      expect(off.stdout).to.include(`✔ ${check}`);
    });
});
