import { lstatSync, readdirSync, statSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import { podFirewallRules } from './cluster-firewall.js';
import type { LoadedImageSpec } from './cluster-spec.js';
import { PROJECT_ROOT } from './host-programs.js';
import { policyChainPrefixes } from '../../orchestrator/api/network-policy-chains.js';
import { applyRules, removeChains, removeRules } from './iptables-rules.js';

/** Where the process provider puts each worker's pod directories: outside any home folder, so pods may reach their own. */
const HOST_PODS_ROOT = '/var/lib/crucible/pods';

/** Whether this host can confine a process cluster's pods, and why not when it cannot. */
export type HostConfinement = { confined: true } | { confined: false; reason: string };

/**
 * Pods of the process provider are processes of this host. They are confined as on a docker node
 * (a user of their own, their own directory, only the apiserver reachable) when crucible runs as
 * root — a kubelet cannot switch users otherwise — and when a pod's user can read the programs it
 * runs (the built project, Node.js).
 */
export async function hostConfinement(): Promise<HostConfinement> {
  if (process.getuid?.() !== 0)
    return {
      confined: false,
      reason: 'crucible does not run as root, so the kubelets cannot give pods users of their own',
    };
  const unreadable = await firstNotReadableByOthers([
    join(PROJECT_ROOT, 'dist', 'orchestrator', 'workloads'),
    process.execPath,
  ]);
  if (unreadable)
    return {
      confined: false,
      reason: `${unreadable} is not readable by other users, so a pod running as a user of its own could not start its program`,
    };
  return { confined: true };
}

/** The folder of one worker's pod directories. */
export function hostPodsDir(cluster: string, worker: string): string {
  return join(HOST_PODS_ROOT, cluster, worker);
}

/** The host's rules that close the cluster's control plane (and every kubelet) to its pods. */
export async function confineHostPods(
  cluster: string,
  controlPlane: string,
  apiserverPorts: number[],
): Promise<void> {
  const comment = confineComment(cluster);
  const apiservers = apiserverPorts.map((port) => ({ address: controlPlane, port }));
  await applyRules(podFirewallRules({ apiservers, controlPlane }, comment), comment);
}

/** Removes the cluster's rules and pod directories from this host (all clusters' when no name is given). */
export async function unconfineHostPods(cluster?: string): Promise<number> {
  if (process.getuid?.() !== 0) return 0;
  const removed = await removeRules(
    cluster === undefined ? 'crucible-confine:*' : confineComment(cluster),
  ).catch(() => 0);
  // The NetworkPolicy chains its kube-proxies keep, when they could not remove them themselves.
  await removeChains(Object.values(policyChainPrefixes(cluster))).catch(() => 0);
  await rm(cluster === undefined ? HOST_PODS_ROOT : join(HOST_PODS_ROOT, cluster), {
    recursive: true,
    force: true,
  });
  return removed;
}

function confineComment(cluster: string): string {
  return `crucible-confine:${cluster}`;
}

/**
 * Why pods confined on this host (users of their own) could not run a loaded image's program in
 * place, or undefined when they can: every folder above it must let other users through, every
 * folder and file of it must be readable by them, and a program the command names by its path
 * executable by them. Names the first path that fails and the chmod that fixes it.
 */
export function loadedImageNotReadable(image: LoadedImageSpec): string | undefined {
  const why = (what: string) =>
    `image ${image.name}: ${what}; pods run as users of their own here, so the program must be readable by other users`;
  for (let dir = dirname(image.hostDir); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0)
      return why(
        `${dir} does not let other users through (chmod o+x ${dir}, or put ${image.path} elsewhere)`,
      );
    if (dir === dirname(dir)) break;
  }
  const unreadable = (path: string): string | undefined => {
    const s = lstatSync(path);
    if (s.isSymbolicLink()) return undefined;
    const wanted = s.isDirectory() ? 0o005 : 0o004;
    if ((s.mode & wanted) !== wanted) return path;
    if (!s.isDirectory()) return undefined;
    for (const name of readdirSync(path)) {
      const found = unreadable(join(path, name));
      if (found) return found;
    }
    return undefined;
  };
  const first = unreadable(image.path);
  if (first) return why(`${first} is not readable by other users (chmod -R o+rX ${image.path})`);
  const program = image.command[0]!;
  if (program.includes('/') && !isAbsolute(program)) {
    const file = resolve(image.hostDir, program);
    if ((statSync(file).mode & 0o001) === 0)
      return why(`${file} is not executable by other users (chmod o+x ${file})`);
  }
  return undefined;
}

/** The first path (or folder above it) a user other than its owner cannot read or pass through. */
async function firstNotReadableByOthers(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      if (((await stat(dir)).mode & 0o001) === 0) return dir;
      if (dir === dirname(dir)) break;
    }
    const mode = (await stat(path)).mode;
    if ((mode & 0o004) === 0) return path;
  }
  return undefined;
}
