import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { processStartTime, stillRunning, thisProcess } from './process-identity.js';

describe('process identity', () => {
  it('knows this process, and no longer a process that exited', async () => {
    expect(stillRunning(thisProcess())).to.equal(true);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    await new Promise((r) => child.once('spawn', r));
    const identity = { ...thisProcess(), pid: child.pid!, startTime: processStartTime(child.pid!)! };
    expect(stillRunning(identity)).to.equal(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(stillRunning(identity)).to.equal(false);
  });

  it('takes a pid given to a later process, or of another boot, for a process that is gone', () => {
    const me = thisProcess();
    expect(stillRunning({ ...me, startTime: String(Number(me.startTime) + 1) }), 'pid reused').to.equal(
      false,
    );
    expect(stillRunning({ ...me, bootId: 'an-earlier-boot' }), 'other boot').to.equal(false);
  });
});
