import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { versionLine } from './version-line.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
}

describe('crucible --version', function () {
  this.timeout(30_000);

  it('prints the version in package.json, and the commit when run from a git checkout', async () => {
    const { version } = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { version: string };
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'harness/cli/crucible-cli.ts', '--version'],
      { cwd: ROOT },
    );
    expect(stdout).to.match(
      new RegExp(`^crucible ${version.replace(/\./g, '\\.')}( \\(commit [0-9a-f]{12}(, dirty)?\\))?\n$`),
    );
    expect(stdout).to.equal(`${versionLine()}\n`);
    expect(stderr).to.equal('');
  });

  describe('the line', () => {
    let dir: string;
    const file = () => join(dir, 'crucible', 'dist', 'harness', 'cli', 'version-line.js');
    const env = {
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    };
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'crucible-version-'));
      await mkdir(join(dir, 'crucible'));
      await writeFile(join(dir, 'crucible', 'package.json'), '{"name":"crucible","version":"1.2.3"}\n');
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('is the version alone outside a git checkout', () => {
      expect(versionLine(file())).to.equal('crucible 1.2.3');
    });

    it("names the commit of crucible's own checkout, and says when its tree has changes", async () => {
      const repo = join(dir, 'crucible');
      git(repo, 'init', '-q');
      git(repo, 'add', 'package.json');
      execFileSync('git', ['-C', repo, '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'v1.2.3'], {
        env: { ...process.env, ...env },
      });
      const head = git(repo, 'rev-parse', '--short=12', 'HEAD');
      expect(versionLine(file())).to.equal(`crucible 1.2.3 (commit ${head})`);
      await writeFile(join(repo, 'package.json'), '{"name":"crucible","version":"1.2.4"}\n');
      expect(versionLine(file())).to.equal(`crucible 1.2.4 (commit ${head}, dirty)`);
    });

    it("names no commit when crucible is installed inside another project's repository", () => {
      git(dir, 'init', '-q');
      expect(versionLine(file())).to.equal('crucible 1.2.3');
    });
  });
});
