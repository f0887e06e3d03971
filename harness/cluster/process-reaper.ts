import { readdir, readFile } from 'node:fs/promises';
import { sleep } from '../support/index.js';
import { isProcessAlive } from './process-identity.js';
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
  await untilGone(pids, graceMs);
  signalAll(pids.filter(isProcessAlive), 'SIGKILL');
  // A SIGKILLed process still shows until the kernel has torn it down (a busy machine takes a
  // while): the caller is told the cluster is gone only once it is.
  await untilGone(pids, KILL_WAIT_MS);
  return victims.length;
}

/** How long SIGKILLed processes are awaited before the reaper gives up on seeing them go. */
const KILL_WAIT_MS = 5000;

/** Waits until none of `pids` is alive, or `ms` have passed. */
async function untilGone(pids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && pids.some(isProcessAlive)) await sleep(20);
}
