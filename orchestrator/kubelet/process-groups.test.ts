import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { pollUntil } from '../../harness/support/poll-until.js';
import { readProcessGroups } from './process-groups.js';

describe('readProcessGroups', function () {
  this.timeout(10_000);
  let group: ChildProcess | undefined;

  afterEach(() => {
    if (group?.pid) {
      try {
        process.kill(-group.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  });

  it('finds the leader of a group and its descendants in the group, not one that left it', async () => {
    // A leader that burns a little CPU, a child in its group, and a child that left it (setsid).
    group = spawn(
      '/bin/sh',
      ['-c', 'sleep 5 & setsid sleep 3 & i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; wait'],
      { detached: true, stdio: 'ignore' },
    );
    const pgid = group.pid!;
    let members: ReturnType<typeof readProcessGroups> = new Map();
    await pollUntil(
      () => {
        members = readProcessGroups(new Set([pgid]));
        const leader = members.get(pgid)?.find((p) => p.pid === pgid);
        return members.get(pgid)?.length === 2 && (leader?.cpuTicks ?? 0) > 0;
      },
      5000,
      () => `the shell and its sleep, the shell's CPU time counted (seen ${JSON.stringify([...members])})`,
    );
    const [leader, child] = members.get(pgid)!;
    expect(leader!.pid).to.equal(pgid);
    expect(child!.pid).to.not.equal(pgid);
    for (const p of [leader!, child!]) {
      expect(p.rssBytes).to.be.greaterThan(0);
      expect(p.rssBytes % 1024).to.equal(0);
      expect(p.startTicks).to.match(/^\d+$/);
    }
  });

  it('answers nothing for a group whose leader is gone, or for no group', () => {
    expect(readProcessGroups(new Set([2 ** 22 + 1])).size).to.equal(0);
    expect(readProcessGroups(new Set()).size).to.equal(0);
  });
});
