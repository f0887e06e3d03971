/**
 * What each node of a cluster holds in its credentials folder, as kubeadm gives each machine only
 * what its own components need: a worker its kubelet's and kube-proxy's tokens and the cluster
 * CA; an apiserver its serving key pair, the token file and its etcd client key pair; an etcd
 * member its server and peer key pairs and the etcd CA; Toxiproxy nothing. No node holds the
 * admin's credentials or a CA's private key: those stay with the harness, or nowhere.
 */

/** The files of a node's credentials folder, by what they are; the members' flags name them. */
export const CREDENTIAL_FILES = {
  /** The cluster CA's certificate: the apiservers' serving certificates chain to it. */
  clusterCa: 'ca.crt',
  apiserverCert: 'apiserver.crt',
  apiserverKey: 'apiserver.key',
  /** Every user's bearer token (kube-apiserver's --token-auth-file). */
  tokenAuthFile: 'tokens.csv',
  /** etcd's own CA (its certificate): it signs etcd's members and its clients, nothing else. */
  etcdCa: 'etcd-ca.crt',
  etcdServerCert: 'etcd-server.crt',
  etcdServerKey: 'etcd-server.key',
  etcdPeerCert: 'etcd-peer.crt',
  etcdPeerKey: 'etcd-peer.key',
  /** The client key pair an apiserver presents to etcd; no other component holds one. */
  etcdClientCert: 'apiserver-etcd-client.crt',
  etcdClientKey: 'apiserver-etcd-client.key',
  /** The key pair every apiserver signs (private) and verifies (public) service account tokens with, as kubeadm names it. */
  serviceAccountKey: 'sa.key',
  serviceAccountPublicKey: 'sa.pub',
} as const;

/** Whose token a node holds: a component user's, or the kubelet user of a node (system:node:<name>). */
export type TokenOwner =
  | { component: 'scheduler' | 'controller-manager' | 'kube-proxy' }
  | { kubelet: string }
  /** The simulated nodes' agent: one credential for many nodes, so no node identity (user crucible:simulated-nodes). */
  | { simulatedNodes: true };

/** What one node's credentials folder holds; a node that needs nothing (Toxiproxy) has all empty. */
export interface NodeCredentials {
  node: string;
  /** The cluster CA's certificate, to trust the apiservers' serving certificates. */
  clusterCa: boolean;
  /** Bearer tokens, each in its file (`tokenFile`). */
  tokens: TokenOwner[];
  /**
   * An apiserver's: a serving key pair for `hosts`, the token file, the etcd CA and an etcd client
   * key pair, and the cluster's service account key pair.
   */
  apiserver?: { hosts: string[] };
  /** An etcd member's: the etcd CA, a server key pair for `hosts` and a peer key pair for `peerHosts`. */
  etcd?: { hosts: string[]; peerHosts: string[] };
}

/** The file of a token in its node's folder: `<component>.token`, `kubelet.token` or `simulated-nodes.token`. */
export function tokenFile(owner: TokenOwner): string {
  if ('component' in owner) return `${owner.component}.token`;
  return 'kubelet' in owner ? 'kubelet.token' : 'simulated-nodes.token';
}
