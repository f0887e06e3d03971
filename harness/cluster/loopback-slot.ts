import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterError } from './cluster-error.js';
import { clusterDir } from './cluster-record.js';
import { sleep } from '../support/index.js';
import { isProcessAlive } from './process-identity.js';
import { bootId } from './process-identity.js';

/** Where slots are reserved: one folder for the whole machine, whatever CRUCIBLE_HOME each run has. */
const RESERVATIONS = join(tmpdir(), 'crucible-slots');

/** Who holds a slot: the process that reserved it, on this boot, for a cluster of a home. */
interface Reservation {
  pid: number;
  bootId: string;
  cluster: string;
  /** The cluster's folder: once its record is written there, the cluster holds the slot by itself. */
  dir: string;
}

/**
 * Reserves the third octet of a cluster's host addresses (workers at 127.0.<slot>.N, the control
 * plane at 127.0.<slot>.254) for `cluster`, atomically, so that runs started at the same moment —
 * on either provider, from any CRUCIBLE_HOME — never get the same one. A reservation is a file
 * created exclusively under the machine's temporary folder; it holds while the process that took
 * it lives or the cluster's record exists, and is taken back by `releaseLoopbackSlot` when the
 * cluster goes. A slot is also passed over when its addresses cannot be bound (something outside
 * crucible, or a published Docker port, holds them).
 */
export async function reserveLoopbackSlot(cluster: string): Promise<number> {
  await mkdir(RESERVATIONS, { recursive: true });
  const reservation: Reservation = { pid: process.pid, bootId: bootId(), cluster, dir: clusterDir(cluster) };
  // Looking at a slot, removing a stale reservation and writing ours are three steps: without the
  // lock, a run removing a stale file could remove the one another run wrote a moment before.
  return withReservationLock(async () => {
    for (let slot = 1; slot < 200; slot++) {
      const file = slotFile(slot);
      if (await held(file)) continue;
      await rm(file, { force: true }); // a stale reservation: its owner and its cluster are gone
      await writeFile(file, JSON.stringify(reservation), { flag: 'wx' });
      if ((await canBind(`127.0.${slot}.1`, 10250)) && (await canBind(`127.0.${slot}.254`, 6443)))
        return slot;
      // Taken outside the reservations (a cluster from before them, or not crucible's at all).
      await rm(file, { force: true });
    }
    throw new ClusterError(
      'NoFreeAddress',
      // Not `crucible down --all`: the slots may be held by other runs that are alive.
      'no free loopback slot (127.0.1–199.x) for another cluster: each is held by a live run, a cluster kept up, or another program; wait for a run to end, or remove clusters you no longer need (`crucible ls`, `crucible down NAME`)',
    );
  });
}

/** A lock older than this was left by a process that died holding it: the work under it takes milliseconds. */
const STALE_LOCK_MS = 10_000;

/** Runs `work` while holding the machine-wide reservation lock, a folder created exclusively. */
async function withReservationLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = join(RESERVATIONS, '.lock');
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      else await sleep(5 + Math.random() * 20);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Gives the slot back; only the reservation of `cluster` is removed. */
export async function releaseLoopbackSlot(slot: number, cluster: string): Promise<void> {
  const file = slotFile(slot);
  const reservation = await readReservation(file);
  if (reservation?.cluster === cluster) await rm(file, { force: true });
}

/** The slot of a cluster's record: the third octet of its first apiserver's address. */
export function slotOf(apiserver: string): number {
  return Number(new URL(apiserver).hostname.split('.')[2]);
}

/**
 * Host addresses for the cloud-controller-manager's load balancers, one per Service: 127.0.<slot>.200
 * to .253, between the workers (from .1) and the control plane (.254). Both providers use it.
 */
export function loadBalancerAddresses(slot: number): string {
  return `127.0.${slot}.200-127.0.${slot}.253`;
}

function slotFile(slot: number): string {
  return join(RESERVATIONS, `${slot}.json`);
}

async function readReservation(file: string): Promise<Reservation | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Reservation;
  } catch {
    return undefined;
  }
}

/** Whether a reservation file stands: its owner runs on this boot, or its cluster's record exists. */
async function held(file: string): Promise<boolean> {
  const reservation = await readReservation(file);
  if (!reservation) {
    // Being written right now, or unreadable: only a fresh file may be the former.
    const age = await stat(file).then(
      (s) => Date.now() - s.mtimeMs,
      () => Infinity,
    );
    return age < 10_000;
  }
  if (reservation.bootId === bootId() && isProcessAlive(reservation.pid)) return true;
  return stat(join(reservation.dir, 'cluster.json')).then(
    () => true,
    () => false,
  );
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
