import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  createCertificateAuthority,
  createServiceAccountKeyPair,
  issueServingCertificate,
} from '../../orchestrator/api/pki.js';
import { SIMULATED_NODES_USER } from '../../orchestrator/api/simulated-nodes.js';
import { ClusterError } from './cluster-error.js';
import { clusterDir } from './cluster-record.js';

/** The users of a cluster and their bearer tokens. */
export interface ClusterTokens {
  admin: string;
  scheduler: string;
  controllerManager: string;
  kubeProxy: string;
  /** Per worker: its kubelet's token (user system:node:<name>, group system:nodes). */
  kubelets: Record<string, string>;
  /** The simulated nodes' agent's token (user crucible:simulated-nodes, no group), when it runs. */
  simulatedNodes?: string;
  /** Per extra user (a tenant): its token; the user has no group and no rights until RBAC grants some. */
  users: Record<string, string>;
}

/** The files of a cluster's PKI and token file, as written at boot. */
export interface CredentialFiles {
  caFile: string;
  caPem: string;
  certFile: string;
  keyFile: string;
  tokenFile: string;
  /** The service account signing key (`sa.key`) and its public key (`sa.pub`), as kubeadm names them. */
  serviceAccountKeyFile: string;
  serviceAccountPublicKeyFile: string;
  tokens: ClusterTokens;
}

/** The file the simulated nodes' agent reads its token from, in the credentials directory. */
export const SIMULATED_NODES_TOKEN_FILE = 'simulated-nodes.token';

/**
 * Makes a cluster's CA, the apiserver's serving certificate (for `hosts`), the key pair every
 * apiserver signs and verifies service account tokens with, and a token per component user in
 * kube-apiserver's token-file format, all under `dir`; each component's own token also in
 * `<user>.token` (scheduler, controller-manager, kube-proxy, each worker of `kubelets`, and
 * `simulated-nodes` when `simulatedNodes`), which is what the components read (--token-file), so no
 * token shows in a process list.
 */
export async function writeClusterCredentials(
  dir: string,
  hosts: string[],
  kubelets: string[],
  users: string[] = [],
  { simulatedNodes = false }: { simulatedNodes?: boolean } = {},
): Promise<CredentialFiles> {
  const ca = createCertificateAuthority('crucible-ca');
  const serving = issueServingCertificate(ca, {
    commonName: 'apiserver',
    hosts: [...hosts, 'localhost', '127.0.0.1'],
  });
  const token = () => randomBytes(16).toString('hex');
  const tokens: ClusterTokens = {
    admin: token(),
    scheduler: token(),
    controllerManager: token(),
    kubeProxy: token(),
    kubelets: Object.fromEntries(kubelets.map((w) => [w, token()])),
    ...(simulatedNodes ? { simulatedNodes: token() } : {}),
    users: Object.fromEntries(users.map((u) => [u, token()])),
  };
  const lines = [
    `${tokens.admin},admin,uid-admin,"system:masters"`,
    `${tokens.scheduler},system:kube-scheduler,uid-scheduler`,
    `${tokens.controllerManager},system:kube-controller-manager,uid-controller-manager`,
    `${tokens.kubeProxy},system:kube-proxy,uid-kube-proxy`,
    ...kubelets.map((w) => `${tokens.kubelets[w]},system:node:${w},uid-${w},"system:nodes"`),
    // One credential for many nodes, so no node identity: RBAC grants this user what it needs.
    ...(tokens.simulatedNodes
      ? [`${tokens.simulatedNodes},${SIMULATED_NODES_USER},uid-simulated-nodes`]
      : []),
    ...users.map((u) => `${tokens.users[u]},${u},uid-user-${u}`),
  ];
  const files = {
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'apiserver.crt'),
    keyFile: join(dir, 'apiserver.key'),
    tokenFile: join(dir, 'tokens.csv'),
    serviceAccountKeyFile: join(dir, 'sa.key'),
    serviceAccountPublicKeyFile: join(dir, 'sa.pub'),
  };
  const serviceAccountKeys = createServiceAccountKeyPair();
  await writeFile(files.caFile, ca.certPem);
  await writeFile(files.certFile, serving.certPem);
  await writeFile(files.keyFile, serving.keyPem, { mode: 0o600 });
  await writeFile(files.tokenFile, lines.join('\n') + '\n', { mode: 0o600 });
  await writeFile(files.serviceAccountKeyFile, serviceAccountKeys.privateKeyPem, { mode: 0o600 });
  await writeFile(files.serviceAccountPublicKeyFile, serviceAccountKeys.publicKeyPem);
  const own: Record<string, string> = {
    scheduler: tokens.scheduler,
    'controller-manager': tokens.controllerManager,
    'kube-proxy': tokens.kubeProxy,
    ...tokens.kubelets,
  };
  if (tokens.simulatedNodes)
    await writeFile(join(dir, SIMULATED_NODES_TOKEN_FILE), tokens.simulatedNodes + '\n', { mode: 0o600 });
  for (const [user, value] of Object.entries(own))
    await writeFile(join(dir, `${user}.token`), value + '\n', { mode: 0o600 });
  return { ...files, caPem: ca.certPem, tokens };
}

/** A kubeconfig for the cluster's admin, as kind writes one. */
export function kubeconfig(name: string, server: string, caPem: string, token: string): string {
  const context = `crucible-${name}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: context,
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: `${context}-admin`, user: { token } }],
    contexts: [{ name: context, context: { cluster: context, user: `${context}-admin` } }],
    'current-context': context,
    preferences: {},
  });
}

/**
 * What the harness holds to act on a cluster as its users: the admin's kubeconfig (a file, for
 * kubectl) and token, the CA to trust, and each tenant's token. Kept in credentials.json (mode
 * 0600) beside the cluster's record, never inside it.
 */
export interface ClusterCredentials {
  kubeconfig: string;
  caPem: string;
  adminToken: string;
  /** The spec's extra users (tenants) and their bearer tokens. */
  userTokens: Record<string, string>;
}

const CREDENTIALS_FILE = 'credentials.json';

export async function writeHarnessCredentials(name: string, credentials: ClusterCredentials): Promise<void> {
  await writeFile(join(clusterDir(name), CREDENTIALS_FILE), JSON.stringify(credentials, null, 2), {
    mode: 0o600,
  });
}

export async function readHarnessCredentials(name: string): Promise<ClusterCredentials> {
  try {
    return JSON.parse(await readFile(join(clusterDir(name), CREDENTIALS_FILE), 'utf8')) as ClusterCredentials;
  } catch {
    throw new ClusterError(
      'ClusterNotFound',
      `cluster "${name}" has no credentials in ${clusterDir(name)}: it did not finish booting; see crucible ls`,
    );
  }
}
