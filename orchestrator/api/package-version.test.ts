import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nearestPackage, packageVersion } from './package-version.js';

describe('packageVersion: the version of the package.json nearest above a file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-package-version-'));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'crucible', version: '9.8.7' }));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("is crucible's own version, read from package.json at run time", async () => {
    const ours = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(packageVersion()).to.equal(ours.version);
  });

  it('finds the same package.json from the sources and from the build in dist/', () => {
    const source = join(dir, 'orchestrator', 'api', 'package-version.ts');
    const built = pathToFileURL(join(dir, 'dist', 'orchestrator', 'api', 'package-version.js'));
    expect(nearestPackage(source)).to.deep.equal({ dir, version: '9.8.7' });
    expect(nearestPackage(built)).to.deep.equal({ dir, version: '9.8.7' });
  });

  it("stops at the nearest one: an installed copy is not its host project's version", async () => {
    const installed = join(dir, 'node_modules', 'crucible');
    await mkdir(installed, { recursive: true });
    await writeFile(join(installed, 'package.json'), JSON.stringify({ version: '0.1.0' }));
    expect(packageVersion(join(installed, 'dist', 'harness', 'cli', 'crucible-cli.js'))).to.equal('0.1.0');
  });

  it('says which package.json has no version', async () => {
    await writeFile(join(dir, 'package.json'), '{"name":"crucible"}');
    expect(() => packageVersion(join(dir, 'x.js'))).to.throw(`${join(dir, 'package.json')} has no version`);
  });
});
