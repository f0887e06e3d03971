import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ClientCertificate } from '../../orchestrator/api/client/index.js';
import {
  createCertificateAuthority,
  createServiceAccountKeyPair,
  issueClientCertificate,
  issuePeerCertificate,
  issueServingCertificate,
} from '../../orchestrator/api/pki.js';
import { SIMULATED_NODES_USER } from '../../orchestrator/api/simulated-nodes.js';
import { ClusterError } from './cluster-error.js';
import { clusterDir } from './cluster-record.js';
import { CREDENTIAL_FILES, type NodeCredentials, type TokenOwner, tokenFile } from './node-credentials.js';

/** The users of a cluster and their bearer tokens. */
export interface ClusterTokens {
  admin: string;
  scheduler: string;
  controllerManager: string;
  kubeProxy: string;
  /** Per worker's kubelet: its token (user system:node:<name>, group system:nodes). */
  kubelets: Record<string, string>;
  /** The simulated nodes' agent's (user crucible:simulated-nodes), when it runs. */
  simulatedNodes?: string;
  /** Per extra user (a tenant): its token; the user has no group and no rights until RBAC grants some. */
  users: Record<string, string>;
}

/** What the harness issued at boot and keeps: the cluster CA's certificate and every user's token. */
export interface IssuedCredentials {
  caPem: string;
  tokens: ClusterTokens;
}

/** A node's own credentials folder in the cluster's folder `dir`: what its container mounts. */
export function nodeCredentialsDir(dir: string, node: string): string {
  return join(dir, 'nodes', node);
}

/**
 * Issues a cluster's credentials and gives each node a folder of its own
 * (`nodeCredentialsDir(dir, node)`) holding what `nodes` says it needs and nothing else: a
 * cluster CA and an etcd CA; per apiserver a serving key pair and an etcd client key pair; per
 * etcd member a server and a peer key pair; a token per user in kube-apiserver's token-file
 * format (the admin, the component users, each kubelet user a node holds a token of, each extra
 * user), and each component's own token in its node's `<component>.token` or `kubelet.token`, so
 * no token shows in a process list. Certificates are 0644, private keys and tokens 0600: readable
 * by root only, which the components run as. The CAs' private keys are never written: nothing is
 * issued after boot.
 */
export async function writeClusterCredentials(
  dir: string,
  nodes: NodeCredentials[],
  users: string[] = [],
): Promise<IssuedCredentials> {
  const kubelets = nodes.flatMap((n) => n.tokens.flatMap((t) => ('kubelet' in t ? [t.kubelet] : [])));
  const ca = createCertificateAuthority('crucible-ca');
  const etcdCa = createCertificateAuthority('etcd-ca');
  const token = () => randomBytes(16).toString('hex');
  const tokens: ClusterTokens = {
    admin: token(),
    scheduler: token(),
    controllerManager: token(),
    kubeProxy: token(),
    kubelets: Object.fromEntries(kubelets.map((w) => [w, token()])),
    ...(nodes.some((n) => n.tokens.some((t) => 'simulatedNodes' in t)) ? { simulatedNodes: token() } : {}),
    users: Object.fromEntries(users.map((u) => [u, token()])),
  };
  const serviceAccountKeys = createServiceAccountKeyPair();
  const tokenAuthFile = [
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
  ].join('\n');
  const tokenOf = (owner: TokenOwner): string => {
    if ('kubelet' in owner) return tokens.kubelets[owner.kubelet]!;
    if ('simulatedNodes' in owner) return tokens.simulatedNodes!;
    const byComponent = {
      scheduler: tokens.scheduler,
      'controller-manager': tokens.controllerManager,
      'kube-proxy': tokens.kubeProxy,
    };
    return byComponent[owner.component];
  };
  const f = CREDENTIAL_FILES;
  for (const node of nodes) {
    const folder = nodeCredentialsDir(dir, node.node);
    // Root's alone, as the components run as root: a pod (another user) may not even list it.
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await chmod(folder, 0o700);
    const files: [name: string, content: string][] = [];
    const secrets: [name: string, content: string][] = [];
    if (node.clusterCa) files.push([f.clusterCa, ca.certPem]);
    for (const owner of node.tokens) secrets.push([tokenFile(owner), tokenOf(owner)]);
    if (node.apiserver) {
      const serving = issueServingCertificate(ca, { commonName: 'apiserver', hosts: node.apiserver.hosts });
      const etcdClient = issueClientCertificate(etcdCa, { commonName: 'kube-apiserver-etcd-client' });
      files.push(
        [f.apiserverCert, serving.certPem],
        [f.etcdCa, etcdCa.certPem],
        [f.etcdClientCert, etcdClient.certPem],
        [f.serviceAccountPublicKey, serviceAccountKeys.publicKeyPem],
      );
      secrets.push(
        [f.apiserverKey, serving.keyPem],
        [f.serviceAccountKey, serviceAccountKeys.privateKeyPem],
        [f.tokenAuthFile, tokenAuthFile],
        [f.etcdClientKey, etcdClient.keyPem],
      );
    }
    if (node.etcd) {
      const server = issuePeerCertificate(etcdCa, { commonName: node.node, hosts: node.etcd.hosts });
      const peer = issuePeerCertificate(etcdCa, { commonName: node.node, hosts: node.etcd.peerHosts });
      files.push(
        [f.etcdCa, etcdCa.certPem],
        [f.etcdServerCert, server.certPem],
        [f.etcdPeerCert, peer.certPem],
      );
      secrets.push([f.etcdServerKey, server.keyPem], [f.etcdPeerKey, peer.keyPem]);
    }
    for (const [name, content] of files) await writeFile(join(folder, name), content, { mode: 0o644 });
    for (const [name, content] of secrets)
      await writeFile(join(folder, name), content.trimEnd() + '\n', { mode: 0o600 });
  }
  return { caPem: ca.certPem, tokens };
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
 * kubectl) and token or client certificate, the CA to trust, and the spec's extra users' tokens.
 * Kept in credentials.json (mode 0600) beside the cluster's record, never inside it (an existing
 * cluster's are read from the user's kubeconfig, and kept nowhere).
 */
export interface ClusterCredentials {
  kubeconfig: string;
  caPem: string;
  /** The admin's bearer token; an existing cluster's user may have a client certificate instead. */
  adminToken?: string;
  adminClientCert?: ClientCertificate;
  /** The spec's extra users and their bearer tokens. */
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
