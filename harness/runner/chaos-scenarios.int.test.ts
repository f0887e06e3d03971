import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRUCIBLE_CLI } from '../../testing/crucible-cli.js';
import { dockerEngineAnswers } from '../cluster/node-image.js';

const CHAOS = fileURLToPath(new URL('../../scenarios/chaos/', import.meta.url));

describe('the chaos scenarios on the docker provider, against a healthy orchestrator', function () {
  this.timeout(600_000);

  it('all pass: node loss under load, a 30 s control-plane outage under load, two tenants with faults in one', async function () {
    if (!(await dockerEngineAnswers())) this.skip();
    const home = await mkdtemp(join(tmpdir(), 'crucible-chaos-'));
    try {
      const junit = join(home, 'junit.xml');
      const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            CRUCIBLE_CLI,
            'run',
            '--provider',
            'docker',
            '--seed',
            '1',
            '--out',
            join(home, 'out'),
            '--junit',
            junit,
            CHAOS,
          ],
          { env: { ...process.env, CRUCIBLE_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.on('exit', (c) => resolve({ code: c ?? 1, stdout: out }));
      });
      expect(code, stdout).to.equal(0);
      for (const name of [
        'node-loss-under-load',
        'control-plane-outage-under-load',
        'tenant-isolation-under-faults',
      ])
        expect(stdout).to.include(`✔ ${name}`);
      expect(stdout).to.not.match(/^\s+[✘?] /m);
      const xml = await readFile(junit, 'utf8');
      expect(xml.match(/<testcase /g)).to.have.length(9);
      expect(xml).to.not.include('<failure');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
