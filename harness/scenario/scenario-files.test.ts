import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findScenarioFiles, notAScenarioWords } from './scenario-files.js';

describe('findScenarioFiles', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-scenario-files-'));
    await mkdir(join(dir, 'nested', 'manifests'), { recursive: true });
    await writeFile(join(dir, 'a.yaml'), 'apiVersion: crucible.dev/v1alpha1\nkind: Scenario\nname: a\n');
    await writeFile(join(dir, 'nested', 'b.yml'), 'kind: "Scenario"\nname: b\n');
    await writeFile(join(dir, 'nested', 'no-kind.yaml'), 'name: c\n');
    await writeFile(join(dir, 'nested', 'broken.yaml'), 'kind: [Scenario\n');
    await writeFile(
      join(dir, 'nested', 'manifests', 'app.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: v1\nkind: Service\n---\nkind: Service\n',
    );
    await writeFile(join(dir, 'cluster.yaml'), 'apiVersion: crucible.dev/v1alpha1\nkind: Cluster\n');
    await writeFile(join(dir, 'notes.txt'), 'kind: Scenario\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('takes the Scenarios under a folder, at any depth, in name order, and skips the other kinds', async () => {
    const found = await findScenarioFiles([dir]);
    expect(found.scenarios).to.deep.equal([
      join(dir, 'a.yaml'),
      join(dir, 'nested', 'b.yml'),
      join(dir, 'nested', 'broken.yaml'),
      join(dir, 'nested', 'no-kind.yaml'),
    ]);
    expect(found.skipped).to.deep.equal([
      { file: join(dir, 'cluster.yaml'), kinds: ['Cluster'] },
      { file: join(dir, 'nested', 'manifests', 'app.yaml'), kinds: ['Deployment', 'Service'] },
    ]);
    expect(found.notScenarios).to.deep.equal([]);
    expect(found.missing).to.deep.equal([]);
  });

  it('sets apart a file named on its own that is not a Scenario, and a path that does not exist', async () => {
    const found = await findScenarioFiles([
      join(dir, 'cluster.yaml'),
      join(dir, 'gone.yaml'),
      join(dir, 'a.yaml'),
    ]);
    expect(found.scenarios).to.deep.equal([join(dir, 'a.yaml')]);
    expect(found.notScenarios).to.deep.equal([{ file: join(dir, 'cluster.yaml'), kinds: ['Cluster'] }]);
    expect(found.missing).to.deep.equal([join(dir, 'gone.yaml')]);
  });

  it('says what a skipped file is', () => {
    expect(notAScenarioWords({ file: 'm/echo.yaml', kinds: ['Deployment', 'Service'] })).to.equal(
      'm/echo.yaml (kinds Deployment and Service, not a Scenario)',
    );
    expect(notAScenarioWords({ file: 'c.yaml', kinds: ['Cluster'] })).to.equal(
      'c.yaml (kind Cluster, not a Scenario)',
    );
  });
});
