import { chmod, chown, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ApiClient } from '../api/client/index.js';
import { findResource } from '../api/resources.js';
import type { KubeObject, Pod } from '../api/types.js';
import type { Confinement } from './container-shim.js';
import { announcePodUser } from './policy-agent-client.js';
import { PodUserPool } from './pod-user-pool.js';

const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;
/** What kubelets ask for, as upstream's projected token volume does by default. */
const TOKEN_SECONDS = 3600;
/** A token is refreshed once this share of its life has passed (upstream: 80%). */
const REFRESH_AT = 0.8;
/** A failed refresh is tried again this much later. */
const REFRESH_RETRY_MS = 10_000;

/** How a kubelet confines its pods. */
export interface PodConfinementOptions {
  /** The user ids pods run as, one per pod. */
  uidRange: { first: number; last: number };
  /** Each pod's own working directory is `<podsDir>/<pod uid>`, readable by that pod alone. */
  podsDir: string;
  /** Each pod's secrets (its service account token) under `<secretsDir>/<pod uid>`, readable by root alone. */
  secretsDir: string;
  /** The cluster CA's certificate, which pods get as ca.crt beside their token. */
  caPem: string;
  /** Where pods reach the apiserver: KUBERNETES_SERVICE_HOST and _PORT. */
  kubernetesService?: { host: string; port: number };
  /** The node's NetworkPolicy agent, told each pod's user before the pod starts (policy-agent-client.ts). */
  networkPolicyAgent?: { host: string; port: number };
}

/** What a pod's containers start with: who they run as, where, and with which extra environment. */
export interface PreparedSandbox {
  confinement?: Confinement;
  workingDir?: string;
  /** Where the pod's volumes are set up (a folder of the kubelet's, out of the pod's reach). */
  volumesDir?: string;
  env: Record<string, string>;
}

interface TokenRequest extends KubeObject {
  spec: {
    expirationSeconds: number;
    boundObjectRef: { kind: 'Pod'; apiVersion: 'v1'; name: string; uid: string };
  };
  status?: { token: string; expirationTimestamp: string };
}

/**
 * Each pod's sandbox on a node, as a container runtime and the kubelet's volume manager make one:
 * a user id of its own (whatever securityContext.runAsUser asks), a working directory only it can read, and
 * its ServiceAccount's token — requested through TokenRequest, bound to the pod, expiring, and
 * refreshed before it does — at /var/run/secrets/kubernetes.io/serviceaccount in its own mount
 * namespace, with KUBERNETES_SERVICE_HOST and _PORT pointing at the apiserver.
 */
export class PodSandboxes {
  private readonly users: PodUserPool;
  private readonly refreshers = new Map<string, NodeJS.Timeout>();
  private readonly tokens = new Map<string, Promise<void>>();
  private readonly announced = new Map<string, Promise<void>>();

  constructor(
    private readonly options: PodConfinementOptions,
    private readonly client: ApiClient,
    private readonly log: Logger,
  ) {
    this.users = new PodUserPool(options.uidRange);
  }

  /** Makes the directories every sandbox lives in: pods may pass through podsDir, never into secretsDir. */
  async init(): Promise<void> {
    await mkdir(this.options.podsDir, { recursive: true, mode: 0o711 });
    await chmod(this.options.podsDir, 0o711);
    await mkdir(this.options.secretsDir, { recursive: true, mode: 0o700 });
    await chmod(this.options.secretsDir, 0o700);
    // The mount point of every pod's secrets; empty outside the pods' own mount namespaces.
    await mkdir('/var/run/secrets', { recursive: true });
  }

  /** The pod's sandbox, made on its first container's start; its token waits for the apiserver. */
  async prepare(pod: Pod): Promise<PreparedSandbox> {
    const podUid = pod.metadata.uid!;
    // securityContext.runAsUser and runAsGroup name ids inside the pod, as in a pod of
    // `hostUsers: false`, whose user namespace maps them to ids of its own: honouring them on the
    // node would let a tenant run as root (runAsUser: 0), or as another pod's user.
    const uid = this.users.allocate(podUid);
    const gid = uid;
    await this.announce(pod, uid);
    const workingDir = join(this.options.podsDir, podUid);
    await mkdir(workingDir, { recursive: true, mode: 0o700 });
    await chown(workingDir, uid, gid);
    const env: Record<string, string> = {};
    const service = this.options.kubernetesService;
    if (service) {
      env.KUBERNETES_SERVICE_HOST = service.host;
      env.KUBERNETES_SERVICE_PORT = String(service.port);
      env.KUBERNETES_SERVICE_PORT_HTTPS = String(service.port);
    }
    const volumesDir = join(this.secretsOf(podUid), 'volumes');
    if (pod.spec.automountServiceAccountToken === false)
      return { confinement: { uid, gid }, workingDir, volumesDir, env };
    let projected = this.tokens.get(podUid);
    if (!projected) {
      projected = this.projectToken(pod, uid, gid);
      this.tokens.set(podUid, projected);
      // A failure is reported to this start; the next start asks again.
      projected.catch(() => this.tokens.delete(podUid));
    }
    await projected;
    return { confinement: { uid, gid, secretsDir: this.runSecretsOf(podUid) }, workingDir, volumesDir, env };
  }

  /**
   * Tells the node's NetworkPolicy agent which user the pod runs as, and waits until its rules
   * know it (once per pod), as a network plugin's setup comes before a pod's processes: without it
   * a new pod would run unjudged until the agent read its status. An agent that does not answer
   * delays the pod by at most its timeout, logged; the agent then learns the user from the status.
   */
  private announce(pod: Pod, uid: number): Promise<void> {
    const agent = this.options.networkPolicyAgent;
    const podUid = pod.metadata.uid!;
    if (!agent) return Promise.resolve();
    let announced = this.announced.get(podUid);
    if (!announced) {
      announced = announcePodUser(agent, pod, uid).catch((e: Error) => {
        this.announced.delete(podUid);
        this.log.warn(
          { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, err: e.message },
          'the network policy agent did not confirm the pod; starting it anyway',
        );
      });
      this.announced.set(podUid, announced);
    }
    return announced;
  }

  /** The pod is gone from the node: its user, directories and token go too. */
  async release(podUid: string): Promise<void> {
    this.announced.delete(podUid);
    clearTimeout(this.refreshers.get(podUid));
    this.refreshers.delete(podUid);
    this.tokens.delete(podUid);
    this.users.release(podUid);
    await rm(join(this.options.podsDir, podUid), { recursive: true, force: true });
    await rm(this.secretsOf(podUid), { recursive: true, force: true });
  }

  stop(): void {
    for (const timer of this.refreshers.values()) clearTimeout(timer);
    this.refreshers.clear();
  }

  /** Everything of the pod's the kubelet keeps out of its reach: root's alone. */
  private secretsOf(podUid: string): string {
    return join(this.options.secretsDir, podUid);
  }

  /** What the pod sees at /var/run/secrets. */
  private runSecretsOf(podUid: string): string {
    return join(this.secretsOf(podUid), 'run-secrets');
  }

  /** Writes the pod's token, CA and namespace where its mount shows them, and keeps the token fresh. */
  private async projectToken(pod: Pod, uid: number, gid: number): Promise<void> {
    const podUid = pod.metadata.uid!;
    const dir = join(this.runSecretsOf(podUid), 'kubernetes.io', 'serviceaccount');
    await mkdir(this.secretsOf(podUid), { recursive: true, mode: 0o700 });
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await chmod(this.runSecretsOf(podUid), 0o755);
    await writeOwned(join(dir, 'ca.crt'), this.options.caPem, uid, gid, 0o444);
    await writeOwned(join(dir, 'namespace'), pod.metadata.namespace ?? 'default', uid, gid, 0o444);
    const refresh = async (): Promise<void> => {
      const lifetimeMs = await this.writeToken(pod, join(dir, 'token'), uid, gid);
      this.refreshers.set(
        podUid,
        setTimeout(() => {
          refresh().catch((e: Error) => {
            this.log.warn({ pod: pod.metadata.name, err: e.message }, 'service account token refresh failed');
            this.refreshers.set(
              podUid,
              setTimeout(() => void refresh().catch(() => undefined), REFRESH_RETRY_MS),
            );
          });
        }, lifetimeMs * REFRESH_AT),
      );
    };
    await refresh();
  }

  /** One TokenRequest for the pod's ServiceAccount, bound to the pod; the token's lifetime in ms. */
  private async writeToken(pod: Pod, file: string, uid: number, gid: number): Promise<number> {
    const issued = Date.now();
    const request = await this.client.create<TokenRequest>(
      SERVICE_ACCOUNTS,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: { name: pod.spec.serviceAccountName ?? 'default', namespace: pod.metadata.namespace },
        spec: {
          expirationSeconds: TOKEN_SECONDS,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name!, uid: pod.metadata.uid! },
        },
      },
      'token',
    );
    if (!request.status?.token) throw new Error('the TokenRequest came back without a token');
    await writeOwned(file, request.status.token, uid, gid, 0o400);
    const expires = Date.parse(request.status.expirationTimestamp);
    return Number.isFinite(expires) ? Math.max(1000, expires - issued) : TOKEN_SECONDS * 1000;
  }
}

/** Writes a file whole (a reader never sees half of it), owned by the pod's user, with `mode`. */
async function writeOwned(file: string, text: string, uid: number, gid: number, mode: number): Promise<void> {
  const temporary = `${file}.tmp`;
  await writeFile(temporary, text, { mode });
  await chown(temporary, uid, gid);
  await chmod(temporary, mode);
  await rename(temporary, file);
}
