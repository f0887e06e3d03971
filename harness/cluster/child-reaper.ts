import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let installed = false;

/**
 * Kills `child` when this process exits, however it exits, so a crashed or interrupted run
 * leaves no etcd or component behind. Call `release(child)` once it has been stopped.
 */
export function reapOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}
