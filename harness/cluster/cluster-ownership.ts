import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crucibleHome } from './cluster-record.js';
import { type ProcessIdentity, stillRunning, thisProcess } from './process-identity.js';

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

/** Clusters whose owner is gone (killed, crashed, or exited without removing them). */
export async function abandonedClusters(): Promise<ClusterOwner[]> {
  const files = await readdir(OWNERS).catch(() => [] as string[]);
  const owners = await Promise.all(
    files.filter((f) => f.endsWith('.json')).map((f) => readOwner(f.slice(0, -'.json'.length))),
  );
  return owners.filter((o): o is ClusterOwner => o !== undefined && !stillRunning(o));
}
