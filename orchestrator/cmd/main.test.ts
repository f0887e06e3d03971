import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('orchestrator (the command line)', function () {
  this.timeout(30_000);

  it('prints the version in package.json with --version, and exits 0', async () => {
    const { version } = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { version: string };
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'orchestrator/cmd/main.ts', '--version'],
      { cwd: ROOT },
    );
    expect(stdout).to.equal(`orchestrator ${version}\n`);
    expect(stderr).to.equal('');
  });
});
