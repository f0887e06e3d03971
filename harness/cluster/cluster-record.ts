import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClusterSpec } from './cluster-spec.js';
import type { ClusterLink, ClusterMember } from './cluster-plan.js';
import { ClusterError } from './cluster-error.js';

export type ProviderName = 'docker' | 'process' | 'kubeconfig';

/** What a provider runs for one member or node: a process (pid, log) or a container (id, address). */
export interface MemberHandle {
  pid?: number;
  logFile?: string;
  containerId?: string;
  ip?: string;
}

/**
 * What crucible keeps on disk about a cluster (`cluster.json`): where its parts are, nothing
 * secret. The containers and processes themselves carry the cluster's name and run id as labels,
 * which is how `down` and the next `up` find them even when this file was never written. The
 * credentials are kept apart (credentials.json), and the live handle on a cluster is a
 * RunningCluster.
 */
export interface ClusterRecord {
  apiVersion: 'crucible.dev/v1alpha1';
  kind: 'ClusterRecord';
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
  handles: Record<string, MemberHandle>;
  /**
   * Whether the kubelets confine pods (each its own user, directory and token; the control plane
   * closed to them), and why not when they do not. Absent in records of clusters booted before.
   */
  podConfinement?: { confined: true } | { confined: false; reason: string };
  /** docker: the cluster's network and the node image its containers run. */
  network?: { name: string; subnet: string };
  image?: string;
}

/** Where clusters keep their records: $CRUCIBLE_HOME, or ~/.crucible. */
export function crucibleHome(): string {
  return process.env.CRUCIBLE_HOME ?? join(homedir(), '.crucible');
}

export function clusterDir(name: string): string {
  return join(crucibleHome(), 'clusters', name);
}

/** Every cluster with a record on disk. */
export async function listClusterRecords(): Promise<ClusterRecord[]> {
  const root = join(crucibleHome(), 'clusters');
  const names = await readdir(root).catch(() => [] as string[]);
  const records: ClusterRecord[] = [];
  for (const name of names) {
    const record = await readClusterRecord(name);
    if (record) records.push(record);
  }
  return records;
}

export async function readClusterRecord(name: string): Promise<ClusterRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(clusterDir(name), 'cluster.json'), 'utf8')) as ClusterRecord;
  } catch {
    return undefined;
  }
}

/** The cluster's record, or a ClusterNotFound error that says where to look. */
export async function requireClusterRecord(name: string): Promise<ClusterRecord> {
  const record = await readClusterRecord(name);
  if (!record) throw new ClusterError('ClusterNotFound', `no cluster "${name}": see crucible ls`);
  return record;
}

let writes = 0;

/**
 * Writes the record atomically (a reader never sees half a file). Each write has a temporary file
 * of its own: nodes started in parallel (a control-plane outage's heal) write at the same time,
 * and with one shared name the first rename takes the file from under the others.
 */
export async function writeClusterRecord(record: ClusterRecord): Promise<void> {
  const dir = clusterDir(record.name);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'cluster.json');
  const temporary = `${file}.${process.pid}-${++writes}.tmp`;
  await writeFile(temporary, JSON.stringify(record, null, 2));
  await rename(temporary, file);
}

export async function removeClusterDir(name: string): Promise<void> {
  await rm(clusterDir(name), { recursive: true, force: true });
}

/** The node names of a cluster, in the order of its members (an existing cluster's: its workers). */
export function nodeNames(record: ClusterRecord): string[] {
  return [...new Set([...record.members.map((m) => m.node), ...record.workers.map((w) => w.name)])];
}

/** The member by name, or a MemberNotFound error naming the members there are. */
export function memberNamed(record: ClusterRecord, name: string): ClusterMember {
  const member = record.members.find((m) => m.name === name);
  if (!member)
    throw new ClusterError(
      'MemberNotFound',
      `cluster "${record.name}" has no member "${name}"; its members: ${record.members.map((m) => m.name).join(', ')}`,
    );
  return member;
}

/** The node's members, or a NodeNotFound error naming the nodes there are. */
export function membersOf(record: ClusterRecord, node: string): ClusterMember[] {
  const members = record.members.filter((m) => m.node === node);
  if (members.length === 0)
    throw new ClusterError(
      'NodeNotFound',
      `cluster "${record.name}" has no node "${node}"; its nodes: ${nodeNames(record).join(', ')}`,
    );
  return members;
}

/**
 * The control plane's endpoints as the cluster's own members dial them (not through Toxiproxy):
 * each etcd member's client address, from the first apiserver's links, and Toxiproxy's API.
 */
export function controlPlaneEndpoints(record: ClusterRecord, toxiproxyApi: string): Record<string, string> {
  const endpoints: Record<string, string> = {};
  for (const link of record.links)
    if (link.from === 'apiserver-0' && link.to.startsWith('etcd-')) {
      endpoints[`${link.to} (https)`] = `https://${link.upstream}/version`;
      endpoints[`${link.to} (http)`] = `http://${link.upstream}/version`;
    }
  endpoints['toxiproxy API'] = `${toxiproxyApi}/proxies`;
  return endpoints;
}
