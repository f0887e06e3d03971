import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * crucible as a user installs it: `npm pack` of this repository, installed into a project of its
 * own (examples/mocha, copied to a temporary folder), whose mocha + chai chaos test runs against a
 * real cluster through the published shape — the exports map, the type declarations, the mocha
 * root hooks and the chai plugin — not through the source tree.
 */
describe('crucible as a library, installed from npm pack (examples/mocha)', function () {
  this.timeout(600_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-pack-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('installs into a project of its own, whose mocha + chai chaos test passes on a real cluster', async () => {
    await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT });
    const [tarball] = (await readdir(dir)).filter((f) => f.endsWith('.tgz'));
    const project = join(dir, 'project');
    await cp(join(ROOT, 'examples', 'mocha'), project, { recursive: true });
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        join(dir, tarball!),
        'mocha@12',
        'chai@6',
      ],
      { cwd: project },
    );
    const declarations = await readFile(
      join(project, 'node_modules', 'crucible', 'dist', 'harness', 'library', 'index.d.ts'),
      'utf8',
    );
    expect(declarations).to.include('up').and.include('runScenario').and.include('writeReport');
    const tested = await run('npx', ['mocha', '--reporter', 'dot'], {
      cwd: project,
      env: {
        ...process.env,
        CRUCIBLE_PROVIDER: 'process',
        CRUCIBLE_WORKERS: '1',
        CRUCIBLE_HOME: join(dir, 'home'),
      },
    }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the example's mocha run failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
    });
    expect(tested.stdout).to.match(/2 passing/);
  });
});
