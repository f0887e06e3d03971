import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { Kubectl } from '../../testing/kubectl.js';
import { waitFor } from '../../testing/wait-for.js';
import { labelledProcesses } from './process-reaper.js';
import { readState } from './process-provider.js';

const CLI = fileURLToPath(new URL('../../dist/harness/runner/crucible-cli.js', import.meta.url));
const ECHO = fileURLToPath(new URL('../../scenarios/manifests/echo.yaml', import.meta.url));

/** Runs the real `crucible` CLI with its own CRUCIBLE_HOME. */
function crucible(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, CRUCIBLE_HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('crucible up/down with the process provider (real CLI, real components)', function () {
  this.timeout(120_000);
  let home: string;
  const name = `t${process.pid}`;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'crucible-home-'));
  });
  after(async () => {
    await crucible(home, ['down', name]);
    await rm(home, { recursive: true, force: true });
  });

  it('boots 3 workers, serves a deployed app through every node port from the host, and down leaves nothing', async () => {
    const up = await crucible(home, ['up', '--workers', '3', '--name', name]);
    expect(up.code, up.stderr).to.equal(0);
    expect(up.stdout).to.include(`cluster "${name}" is up`);
    const state = (await withHome(home, () => readState(name)))!;
    expect(state.workers).to.have.length(3);
    const kubectl = new Kubectl(state.apiservers[0]!, state.adminToken, state.caFile);
    expect(await kubectl.ok(['get', 'nodes'])).to.match(/worker-3\s+Ready/);
    await kubectl.ok(['apply', '--validate=false', '-f', ECHO]);
    for (const w of state.workers) {
      await waitFor(
        async () => {
          const res = await request(`http://${w.ip}:30080/`, { reset: true }).catch(() => undefined);
          const ok = res?.statusCode === 200;
          await res?.body.dump();
          return ok;
        },
        `echo through ${w.ip}:30080`,
        20_000,
      );
    }
    expect((await labelledProcesses(name)).length).to.equal(state.members.length);
    const down = await crucible(home, ['down', name]);
    expect(down.code, down.stderr).to.equal(0);
    expect(await labelledProcesses(name)).to.deep.equal([]);
    expect(await withHome(home, () => readState(name))).to.equal(undefined);
  });

  it('cleans up after a `crucible up` killed with SIGKILL in the middle of booting', async () => {
    const child = spawn(process.execPath, [CLI, 'up', '--workers', '2', '--name', name], {
      env: { ...process.env, CRUCIBLE_HOME: home },
    });
    await waitFor(async () => (await labelledProcesses(name)).length >= 3, 'boot under way', 20_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await labelledProcesses(name)).length, 'what the crash left').to.be.greaterThan(0);
    const down = await crucible(home, ['down', name]);
    expect(down.code).to.equal(0);
    expect(await labelledProcesses(name)).to.deep.equal([]);
  });
});

async function withHome<T>(home: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.env.CRUCIBLE_HOME;
  process.env.CRUCIBLE_HOME = home;
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.CRUCIBLE_HOME;
    else process.env.CRUCIBLE_HOME = previous;
  }
}
