import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '../../harness/support/poll-until.js';
import { ContainerStartError, type ContainerConfig, type ContainerInfo } from './container-runtime.js';
import { ProcessRuntime } from './process-runtime.js';

/** Holds the event loop as a kubelet under load does, so the shim's pid and exit arrive together. */
function stallEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy on purpose */
  }
}

describe('ProcessRuntime', function () {
  this.timeout(30_000);
  let root: string;
  let runtime: ProcessRuntime;
  const config = (command: string, args: string[]): ContainerConfig => ({
    podUid: 'uid-1',
    namespace: 'ns',
    podName: 'pod',
    containerName: 'c',
    command,
    args,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    logPath: join(root, 'logs', 'c.log'),
  });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'crucible-runtime-'));
    runtime = new ProcessRuntime({ rootDir: root });
  });
  afterEach(async () => {
    await runtime.stopAll(0);
    await rm(root, { recursive: true, force: true });
  });

  it('reports a program that exited at once with its own exit code, even when the kubelet saw the exit before the pid', async () => {
    // A stalled loop sees the shim's exit and its pid line in the same turn, in either order; before
    // the fix most of these starts were StartErrors and a restartPolicy Never pod ended 128, not 3.
    const exits: ContainerInfo[] = [];
    runtime.onExit((info) => exits.push(info));
    const tries = 10;
    for (let i = 0; i < tries; i++) {
      const started = runtime.start(config('sh', ['-c', 'exit 3']));
      stallEventLoop(300);
      const info = await started;
      expect(info.pid).to.be.a('number');
    }
    await pollUntil(
      () => exits.length === tries,
      10_000,
      () => `${tries} exits (seen ${exits.length})`,
    );
    expect(exits.map((e) => e.exitCode)).to.deep.equal(Array(tries).fill(3));
  });

  it('still fails the start of a program that is not there, with the reason', async () => {
    const started = runtime.start(config('no-such-program-here', []));
    stallEventLoop(200);
    const err = await started.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ContainerStartError);
    expect((err as Error).message).to.include('no-such-program-here: not found or not executable');
  });
});
