import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crucibleHome } from './cluster-record.js';
import { type ProcessIdentity, stillRunning, thisProcess } from './process-identity.js';
import { isProcessAlive } from './process-identity.js';
import { sleep } from '../support/index.js';

/**
 * Who a cluster belongs to while a run, a test or a booting `crucible up` uses it. A cluster with
 * an owner lives only as long as its owner; one without (`crucible up` once booted, a run's
 * `--keep`) stays until `crucible down`. One folder for the whole machine, beside the loopback
 * slots' reservations, so a run from any CRUCIBLE_HOME sees every other's.
 */
const OWNERS = join(tmpdir(), 'crucible-owners');

export interface ClusterOwner extends ProcessIdentity {
  cluster: string;
  provider: 'docker' | 'process';
  /** The CRUCIBLE_HOME the cluster's folder is in. */
  home: string;
}

function ownerFile(cluster: string): string {
  return join(OWNERS, `${cluster}.json`);
}

/** Records this process as the cluster's owner. */
export async function claimCluster(cluster: string, provider: ClusterOwner['provider']): Promise<void> {
  await mkdir(OWNERS, { recursive: true });
  const owner: ClusterOwner = { cluster, provider, home: crucibleHome(), ...thisProcess() };
  const temporary = `${ownerFile(cluster)}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(owner));
  await rename(temporary, ownerFile(cluster));
}

/** The cluster has no owner any more: it is kept, or gone. */
export async function disownCluster(cluster: string): Promise<void> {
  await rm(ownerFile(cluster), { force: true });
}

export async function readOwner(cluster: string): Promise<ClusterOwner | undefined> {
  try {
    return JSON.parse(await readFile(ownerFile(cluster), 'utf8')) as ClusterOwner;
  } catch {
    return undefined;
  }
}

/** How long a start waits for a reaper still removing a cluster of the same name. */
const REAPING_WAIT_MS = 120_000;

function reapingLock(cluster: string): string {
  return join(OWNERS, `${cluster}.reaping`);
}

/**
 * Runs `removal` while holding the cluster's reaping lock (a file created exclusively, holding
 * the reaper's pid), so that two reapers — the owner's own and a start's second line of defence —
 * never remove at once, and a start of the same name waits for both (waitWhileReaping).
 */
export async function whileReaping<T>(cluster: string, removal: () => Promise<T>): Promise<T> {
  await mkdir(OWNERS, { recursive: true });
  const lock = reapingLock(cluster);
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      await waitWhileReaping(cluster);
    }
  }
  try {
    return await removal();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Waits until no reaper is removing the cluster: a cluster of the same name must not boot while
 * the reaper of an earlier one, killed, still removes its folder, slot and processes. A lock
 * whose reaper is gone is stale and removed.
 */
export async function waitWhileReaping(cluster: string): Promise<void> {
  const lock = reapingLock(cluster);
  const deadline = Date.now() + REAPING_WAIT_MS;
  for (;;) {
    const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
    if (!holder) return;
    if (!isProcessAlive(holder) || Date.now() > deadline) {
      await rm(lock, { force: true });
      return;
    }
    await sleep(100);
  }
}

/** Clusters whose owner is gone (killed, crashed, or exited without removing them). */
export async function abandonedClusters(): Promise<ClusterOwner[]> {
  const files = await readdir(OWNERS).catch(() => [] as string[]);
  const owners = await Promise.all(
    files.filter((f) => f.endsWith('.json')).map((f) => readOwner(f.slice(0, -'.json'.length))),
  );
  return owners.filter((o): o is ClusterOwner => o !== undefined && !stillRunning(o));
}
