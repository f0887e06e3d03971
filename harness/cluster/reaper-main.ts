/**
 * The reaper of one cluster (see cluster-reaper.ts), a program of its own:
 *
 *   reaper-main.js CLUSTER          watch: reads the pipe from the cluster's owner; `release` ends
 *                                   it; the pipe closing otherwise, once the owner is gone, removes
 *                                   the cluster
 *   reaper-main.js --now CLUSTER    removes the cluster now if its owner is gone
 *
 * It runs with the owner's CRUCIBLE_HOME, where the cluster's folder is.
 */
import { type ClusterOwner, readOwner, whileReaping } from './cluster-ownership.js';
import { readClusterRecord } from './cluster-record.js';
import { removeDockerCluster } from './docker-cluster.js';
import { removeProcessCluster } from './process-cluster.js';
import { stillRunning } from './process-identity.js';
import { sleep } from '../support/index.js';

const args = process.argv.slice(2);
const now = args[0] === '--now';
const cluster = now ? args[1] : args[0];

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} reaper ${process.pid} ${cluster}: ${line}\n`);
}

/** The same owner: a later run that reused the cluster's name is not this reaper's business. */
function sameOwner(a: ClusterOwner, b: ClusterOwner): boolean {
  return a.pid === b.pid && a.startTime === b.startTime && a.bootId === b.bootId;
}

async function removeIfAbandoned(guarded: ClusterOwner | undefined): Promise<void> {
  const owner = await readOwner(cluster!);
  if (!owner || (guarded && !sameOwner(owner, guarded))) {
    log('no longer owned (kept or removed): nothing to do');
    return;
  }
  // The pipe may close while its owner lives on: the cluster is its until it is gone.
  while (stillRunning(owner)) {
    if (now) return log(`owner ${owner.pid} still runs: nothing to do`);
    await sleep(500);
  }
  // One reaper at a time, and the owner read again under the lock: another reaper, or `down`,
  // may have removed the cluster meanwhile, and a new run of the same name may own it now.
  await whileReaping(cluster!, async () => {
    const current = await readOwner(cluster!);
    if (!current || !sameOwner(current, owner)) return log('removed or owned anew meanwhile: nothing to do');
    await remove(owner);
  });
}

async function remove(owner: ClusterOwner): Promise<void> {
  log(`owner ${owner.pid} is gone: removing the ${owner.provider} cluster`);
  const record = await readClusterRecord(cluster!);
  const removed =
    owner.provider === 'docker'
      ? await removeDockerCluster(cluster!, record)
      : await removeProcessCluster(cluster!, record);
  // Both removals end by disowning the cluster (releaseCluster).
  log(`removed (${removed} containers, networks or processes)`);
}

async function main(): Promise<void> {
  if (!cluster) throw new Error('usage: reaper-main.js [--now] CLUSTER');
  if (now) return removeIfAbandoned(undefined);
  const guarded = await readOwner(cluster);
  let told = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => (told += chunk));
  await new Promise<void>((resolve) => process.stdin.once('close', () => resolve()));
  if (told.includes('release')) return;
  log('the pipe from the owner closed');
  await removeIfAbandoned(guarded);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
