import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClusterSpec } from './cluster-spec.js';
import type { ClusterLink, ClusterMember } from './cluster-plan.js';

export type ProviderName = 'docker' | 'process';

/**
 * What `crucible up` leaves on disk about a cluster. The containers and processes themselves
 * carry the cluster's name and run id as labels, which is how `down` and the next `up` find them
 * even when this file was never written.
 */
export interface ClusterState {
  apiVersion: 'crucible.dev/v1alpha1';
  kind: 'ClusterState';
  name: string;
  runId: string;
  provider: ProviderName;
  createdAt: string;
  spec: ClusterSpec;
  /** The host's view: each apiserver's URL (127.0.<slot>.254:6443+i). */
  apiservers: string[];
  /** The Toxiproxy API every control-plane link runs through, from the host. */
  toxiproxy: string;
  links: ClusterLink[];
  /** Each worker at its own loopback address: node ports at ip:<nodePort>, kubelet at ip:kubeletPort. */
  workers: { name: string; ip: string; kubeletPort: number; proxyHealthPort: number }[];
  /** Every node (container, or group of processes) of the cluster and its members. */
  members: ClusterMember[];
  /** What the provider runs: per member its pid and log (process), per node its container and address (docker). */
  handles: Record<string, { pid?: number; logFile?: string; containerId?: string; ip?: string }>;
  /** docker: the cluster's network and the node image its containers run. */
  network?: { name: string; subnet: string };
  image?: string;
  kubeconfig: string;
  caFile: string;
  adminToken: string;
  /** The spec's extra users (tenants) and their bearer tokens. */
  userTokens: Record<string, string>;
}

/** Where clusters keep their state: $CRUCIBLE_HOME, or ~/.crucible. */
export function crucibleHome(): string {
  return process.env.CRUCIBLE_HOME ?? join(homedir(), '.crucible');
}

export function clusterDir(name: string): string {
  return join(crucibleHome(), 'clusters', name);
}

/** Every cluster with state on disk. */
export async function listClusters(): Promise<ClusterState[]> {
  const root = join(crucibleHome(), 'clusters');
  const names = await readdir(root).catch(() => [] as string[]);
  const states: ClusterState[] = [];
  for (const name of names) {
    const state = await readState(name);
    if (state) states.push(state);
  }
  return states;
}

export async function readState(name: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(join(clusterDir(name), 'cluster.json'), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** The cluster's state, or a clear error naming what exists. */
export async function requireState(name: string): Promise<ClusterState> {
  const state = await readState(name);
  if (!state) throw new Error(`no cluster "${name}": see crucible ls`);
  return state;
}

let writes = 0;

/**
 * Writes the state atomically (a reader never sees half a file). Each write has a temporary file
 * of its own: nodes started in parallel (a control-plane outage's heal) write at the same time,
 * and with one shared name the first rename takes the file from under the others.
 */
export async function writeState(state: ClusterState): Promise<void> {
  const dir = clusterDir(state.name);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'cluster.json');
  const temporary = `${file}.${process.pid}-${++writes}.tmp`;
  await writeFile(temporary, JSON.stringify(state, null, 2));
  await rename(temporary, file);
}

export async function removeClusterDir(name: string): Promise<void> {
  await rm(clusterDir(name), { recursive: true, force: true });
}
