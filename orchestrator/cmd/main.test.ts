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

  it('loads only the named component, and every one for help or an unknown name', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'orchestrator/cmd/main.ts', ...args], {
        cwd: ROOT,
      }).catch((e: { stdout: string; stderr: string }) => e);
    const kubelet = await run(['kubelet', '--help']);
    expect(kubelet.stdout)
      .to.match(/^Usage: orchestrator kubelet \[options\]/)
      .and.include('--node-name');
    const unknown = await run(['kubelt']);
    expect(unknown.stderr).to.include("unknown command 'kubelt'").and.include('Did you mean kubelet?');
    for (const component of ['apiserver', 'controller-manager', 'scheduler', 'kube-proxy', 'load-balancer'])
      expect(unknown.stderr).to.include(`  ${component} [options]`);
  });
});
