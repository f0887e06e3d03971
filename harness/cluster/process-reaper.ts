import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { sleep } from '../support/index.js';
import { processTree, signalAll } from './process-tree.js';

/** Environment variables that label every process of a cluster (processes have no labels of their own). */
export const CLUSTER_LABEL = 'CRUCIBLE_CLUSTER';
export const RUN_LABEL = 'CRUCIBLE_RUN_ID';

/** Pids of live processes carrying `CRUCIBLE_CLUSTER=<cluster>` (any cluster when undefined). */
export async function labelledProcesses(
  cluster?: string,
): Promise<{ pid: number; cluster: string; runId: string }[]> {
  const found: { pid: number; cluster: string; runId: string }[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = await readFile(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = new Map(
      environ.split('\0').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    const name = vars.get(CLUSTER_LABEL);
    if (name && (cluster === undefined || name === cluster))
      found.push({ pid, cluster: name, runId: vars.get(RUN_LABEL) ?? '' });
  }
  return found;
}

/**
 * Stops every process of `cluster` (all clusters when undefined): SIGTERM, so kubelets stop their
 * pods, then SIGKILL whatever is left after `graceMs`, and returns once they are gone. Returns how
 * many processes it found.
 */
export async function reapProcesses(cluster?: string, graceMs = 5000): Promise<number> {
  const victims = await labelledProcesses(cluster);
  // A frozen worker (node-pause) and its pods would hold SIGTERM until thawed: thaw them first.
  const pids = victims.map((v) => v.pid);
  signalAll(await processTree(pids), 'SIGCONT');
  signalAll(pids, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(isProcessAlive)) await sleep(50);
  signalAll(pids.filter(isProcessAlive), 'SIGKILL');
  // A SIGKILLed process still shows until the kernel has torn it down (a busy machine takes a
  // while): the caller is told the cluster is gone only once it is.
  const killDeadline = Date.now() + KILL_WAIT_MS;
  while (Date.now() < killDeadline && pids.some(isProcessAlive)) await sleep(20);
  return victims.length;
}

/** How long SIGKILLed processes are awaited before the reaper gives up on seeing them go. */
const KILL_WAIT_MS = 5000;

/**
 * Whether a process with this pid exists and has not exited (signal 0 probes without
 * signalling; a zombie, dead and waiting for its parent to collect it, counts as gone).
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // No /proc (or it went between the two looks): the signal's answer stands.
    return true;
  }
}
