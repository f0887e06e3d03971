import { randomBytes } from 'node:crypto';
import { PROCESS_FEATURES } from './cluster-features.js';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finishBoot } from './cluster-boot.js';
import {
  type ClusterCredentials,
  nodeCredentialsDir,
  writeClusterCredentials,
} from './cluster-credentials.js';
import { type ClusterLayout, planCluster } from './cluster-plan.js';
import type { ClusterProvider } from './cluster-provider.js';
import { type ClusterRecord, clusterDir, readClusterRecord, removeClusterDir } from './cluster-record.js';
import type { ClusterSpec } from './cluster-spec.js';
import { realToxiproxyServer } from './host-programs.js';
import { guardCluster, releaseCluster, removeAbandonedClusters } from './cluster-reaper.js';
import { waitWhileReaping } from './cluster-ownership.js';
import { loadBalancerAddresses, reserveLoopbackSlot } from './loopback-slot.js';
import { ProcessCluster, removeProcessCluster, spawnMember } from './process-cluster.js';
import { reapProcesses } from './process-reaper.js';
import { ClusterError } from './cluster-error.js';
import {
  confineHostPods,
  hostConfinement,
  hostPodsDir,
  loadedImageNotReadable,
} from './host-pod-confinement.js';

/**
 * The process provider: every member of the cluster as a local process, detached from the command
 * that started it so the cluster stays up. The control plane (and Toxiproxy, through which its
 * links run) at 127.0.<slot>.254, worker N at its own loopback address 127.0.<slot>.N — the same
 * host addresses the docker provider publishes on. Each member reads its credentials from its
 * node's folder (`<cluster folder>/nodes/<node>`), as a container mounts only its own. Every
 * process carries the cluster's name and run id in its environment, which is how `down` and the
 * next `up` find them.
 */
export class ProcessProvider implements ClusterProvider {
  readonly name = 'process';
  readonly features = PROCESS_FEATURES;

  unmetNeeds(): string[] {
    return [];
  }

  async create(
    spec: ClusterSpec,
    progress: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<ProcessCluster> {
    const name = spec.name;
    // The known bug (cluster spec `sabotage`): pods run as root, beside every credential.
    const sabotaged = spec.sabotage.includes('pods-see-cluster-credentials');
    const confinement = sabotaged
      ? { confined: false as const, reason: 'sabotage' }
      : await hostConfinement();
    // Confined pods run the spec's programs in place, as users of their own: say now if they cannot.
    if (confinement.confined)
      for (const image of spec.images) {
        const problem = loadedImageNotReadable(image);
        if (problem) throw new ClusterError('ImageNotReadable', problem);
      }
    await removeAbandonedClusters(progress);
    // A killed run of the same name may still be being reaped: its reaper removes by name.
    await waitWhileReaping(name);
    const leftovers = await reapProcesses(name, 2000);
    if (leftovers) progress(`removed ${leftovers} process(es) a previous run of ${name} left`);
    await removeClusterDir(name);
    const dir = clusterDir(name);
    await mkdir(join(dir, 'logs'), { recursive: true });
    // The cluster's folder holds every credential: not even to be passed through by another user.
    await chmod(dir, 0o700);
    const runId = randomBytes(4).toString('hex');
    await guardCluster(name, 'process');
    // No slot free: nothing has started yet; the folder just made must not stay behind either.
    const slot = await reserveLoopbackSlot(name).catch(async (e: unknown) => {
      await removeClusterDir(name);
      await releaseCluster(name);
      throw e;
    });
    const controlPlane = `127.0.${slot}.254`;
    if (!confinement.confined && !sabotaged)
      progress(`warning: pods are not isolated from the control plane: ${confinement.reason}`);
    const layout: ClusterLayout = {
      reach: () => controlPlane,
      bind: () => controlPlane,
      sharedAddress: true,
      workerIp: (n) => `127.0.${slot}.${n}`,
      credentialsDir: (node) => nodeCredentialsDir(dir, node),
      dataDir: (member) => join(dir, member),
      ...(confinement.confined
        ? {
            podConfinement: {
              podsDir: (worker) => hostPodsDir(name, worker),
              networkPolicyOwner: name,
              uidBlock: slot,
            },
          }
        : {}),
      realToxiproxy: realToxiproxyServer() !== undefined,
      cloudProviderArgs: [
        '--cloud-provider=process',
        `--state-file=${join(dir, 'cluster.json')}`,
        `--load-balancer-dir=${join(dir, 'load-balancers')}`,
        `--load-balancer-addresses=${loadBalancerAddresses(slot)}`,
      ],
    };
    const plan = planCluster(spec, layout);
    const creds = await writeClusterCredentials(dir, plan.credentials, spec.users);
    const apiservers = plan.apiserverPorts.map((p) => `https://${controlPlane}:${p}`);
    const record: ClusterRecord = {
      apiVersion: 'crucible.dev/v1alpha1',
      kind: 'ClusterRecord',
      name,
      runId,
      provider: 'process',
      createdAt: new Date().toISOString(),
      spec,
      apiservers,
      toxiproxy: `http://${controlPlane}:${plan.toxiproxyPort}`,
      links: plan.links,
      workers: plan.workers,
      members: plan.members,
      handles: {},
      podConfinement: sabotaged ? { confined: true } : confinement,
    };
    try {
      const started = Date.now();
      if (confinement.confined) await confineHostPods(name, controlPlane, plan.apiserverPorts);
      // Everything starts at once: each component retries until what it needs answers.
      for (const member of record.members) {
        signal?.throwIfAborted();
        record.handles[member.name] = await spawnMember(record, member);
      }
      progress(
        `${record.members.length} processes starting: control plane at ${controlPlane}, workers at ${plan.workers.map((w) => w.ip).join(', ')}`,
      );
      const credentials = await finishBoot(record, creds, progress, started, signal);
      return new ProcessCluster(record, credentials);
    } catch (e) {
      await removeProcessCluster(name, record);
      throw e;
    }
  }

  attach(record: ClusterRecord, credentials: ClusterCredentials): ProcessCluster {
    return new ProcessCluster(record, credentials);
  }

  async delete(name: string): Promise<number> {
    return removeProcessCluster(name, await readClusterRecord(name));
  }
}
