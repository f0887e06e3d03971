import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crucible, type CrucibleRun } from '../../testing/crucible-cli.js';
import { nightlyIt } from '../../testing/nightly.js';
import { dockerEngineAnswers } from '../cluster/index.js';

const SABOTAGE = fileURLToPath(new URL('../../scenarios/sabotage/', import.meta.url));
const MANIFESTS = fileURLToPath(new URL('../../scenarios/manifests/', import.meta.url));

/**
 * The quick part of the sabotage matrix (scenarios/sabotage tagged quick), through the real CLI
 * on docker: each known bug is caught by the check it names, with evidence naming the cause, and
 * the same scenario without its switch (and so without `expect`) passes that check. The bug and
 * its off-variant run side by side to keep the suite short; the whole matrix is the nightly's
 * (`crucible run scenarios/sabotage`).
 */
describe('the sabotage matrix, quick subset (real CLI, docker)', function () {
  this.timeout(240_000);
  let home: string;

  before(async function () {
    if (!(await dockerEngineAnswers(2000))) this.skip();
    home = await mkdtemp(join(tmpdir(), 'crucible-sabotage-'));
  });
  after(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  /** The sabotage scenario and its off-variant (switch and expect removed), run at once. */
  async function bugAndOff(file: string): Promise<{ bug: CrucibleRun; off: CrucibleRun }> {
    const text = await readFile(join(SABOTAGE, file), 'utf8');
    const off = text
      .split('\n')
      .filter((l) => !/^\s*extraArgs: .*--sabotage-/.test(l) && !/^expect:/.test(l))
      .join('\n')
      .replace(/^name: (.*)$/m, 'name: $1-off')
      .replaceAll('../manifests/', MANIFESTS);
    expect(off).to.not.include('--sabotage-');
    const offFile = join(home, `off-${basename(file)}`);
    await writeFile(offFile, off);
    const run = (path: string, out: string) =>
      crucible(home, ['run', '--provider', 'docker', '--seed', '1', '--out', join(home, out), path]);
    const [bug, offRun] = await Promise.all([run(join(SABOTAGE, file), 'bug'), run(offFile, 'off')]);
    return { bug, off: offRun };
  }

  // Missed once in CI (app available 99.46%: few requests reached the unready pod), caught in
  // the other runs; until the cause is found it runs with the whole matrix, nightly.
  nightlyIt(
    'kube-proxy forwarding to a never-ready pod is caught by availability; without the switch it passes',
    async () => {
      const { bug, off } = await bugAndOff('kube-proxy-forwards-to-unready-endpoints.yaml');
      expect(bug.code, bug.stdout + bug.stderr).to.equal(0);
      expect(bug.stdout)
        .to.match(/✔ sabotage caught: expected app available to fail/)
        .and.match(/requests failed: success ratio [\d.]+%, below 99%/)
        .and.include('sabotage: caught 1 of 1 known bug');
      expect(off.code, off.stdout + off.stderr).to.equal(0);
      expect(off.stdout)
        .to.match(/✔ app available/)
        .and.not.match(/sabotage (caught|missed|misattributed|inconclusive)|known bug/);
    },
  );

  it('a kubelet restarting its pods in a control-plane outage is caught by no-restarts, naming the pods; without the switch it passes', async () => {
    const { bug, off } = await bugAndOff('kubelet-restarts-pods-without-apiserver.yaml');
    expect(bug.code, bug.stdout + bug.stderr).to.equal(0);
    expect(bug.stdout)
      .to.match(/✔ sabotage caught: expected no restarts to fail/)
      .and.match(/Container echo of pod echo\/echo-[\w-]+ on worker-1 restarted between .*pid \d+ → \d+/);
    expect(off.code, off.stdout + off.stderr).to.equal(0);
    expect(off.stdout).to.match(/✔ no restarts/);
  });
});
