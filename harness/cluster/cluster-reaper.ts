import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { type ClusterOwner, abandonedClusters, claimCluster, disownCluster } from './cluster-ownership.js';
import { crucibleHome } from './cluster-record.js';
import { CRUCIBLE_REAPER } from './host-programs.js';

/** This process's reapers, by cluster: each is told to stand down when its cluster is removed or kept. */
const reapers = new Map<string, ChildProcess>();

/**
 * Makes this process the cluster's owner and starts its reaper, as testcontainers' Ryuk: a
 * process of its own session (a signal to this process's group does not reach it) that holds a
 * pipe from this process. When the pipe closes without a word — this process exited, crashed or
 * was SIGKILLed — and the owner no longer runs, the reaper removes the cluster: its containers
 * (thawed first), network, processes (resumed first), host firewall rules, folder and loopback
 * slot. Toxiproxy's toxics and the faults' packet filters live inside the cluster and go with it.
 * Unlike Ryuk's socket a pipe cannot be reconnected, so there is no grace period to wait out.
 */
export async function guardCluster(cluster: string, provider: ClusterOwner['provider']): Promise<void> {
  await claimCluster(cluster, provider);
  const reaper = await startReaper([cluster], 'pipe');
  // A reaper that could not start leaves the owner record: the next start removes the cluster then.
  reaper.once('error', () => undefined);
  // Neither the reaper nor the pipe to it keeps this process alive.
  reaper.unref();
  const pipe = reaper.stdin!;
  (pipe as unknown as { unref(): void }).unref();
  pipe.on('error', () => undefined); // the reaper gone already: nothing to tell it
  reapers.set(cluster, reaper);
}

/**
 * The cluster is no longer this process's: it was removed, or is kept for the user (`crucible up`
 * once booted, a run's `--keep`). Its reaper stands down.
 */
export async function releaseCluster(cluster: string): Promise<void> {
  await disownCluster(cluster);
  const reaper = reapers.get(cluster);
  reapers.delete(cluster);
  reaper?.stdin?.end('release\n');
}

/**
 * Removes the clusters whose owners are gone, a second line of defence for a reaper that could not
 * do it (the machine rebooted, or the reaper was killed too). A cluster of an owner that runs, or
 * of none (kept), is never touched. Returns the names of those removed.
 */
export async function removeAbandonedClusters(progress: (line: string) => void): Promise<string[]> {
  const removed: string[] = [];
  for (const owner of await abandonedClusters()) {
    // The cluster's folder and slot are in its owner's CRUCIBLE_HOME: the reaper runs there.
    const reaper = await startReaper(['--now', owner.cluster], 'ignore', owner.home);
    const code = await new Promise<number | null>((resolve) => {
      reaper.once('error', () => resolve(null));
      reaper.once('exit', resolve);
    });
    if (code === 0) {
      removed.push(owner.cluster);
      progress(`removed cluster ${owner.cluster}, left by a run that is gone (pid ${owner.pid})`);
    } else progress(`could not remove cluster ${owner.cluster} left by pid ${owner.pid}: see reaper.log`);
  }
  return removed;
}

/** The reaper program, its output appended to the home's reaper.log. */
async function startReaper(
  args: string[],
  stdin: 'pipe' | 'ignore',
  home = crucibleHome(),
): Promise<ChildProcess> {
  await mkdir(home, { recursive: true });
  const log = await open(join(home, 'reaper.log'), 'a');
  try {
    return spawn(process.execPath, [CRUCIBLE_REAPER, ...args], {
      detached: true,
      stdio: [stdin, log.fd, log.fd],
      env: { ...process.env, CRUCIBLE_HOME: home },
    });
  } finally {
    await log.close();
  }
}
