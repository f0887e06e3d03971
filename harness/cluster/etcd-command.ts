/** One etcd member: its name, data directory, ports and the whole initial cluster. */
export interface EtcdMember {
  name: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  /** Where it listens (default 127.0.0.1; 0.0.0.0 in a container). */
  listenHost?: string;
  /** How the other members and clients reach it (default: listenHost). */
  advertiseHost?: string;
  /** `name=<scheme>://host:peerPort` of every member, this one included (https with `tls`). */
  initialCluster: string;
  /** Mutual TLS for clients and peers, as kubeadm sets etcd up; without it, plain http. */
  tls?: EtcdMemberTls;
  /** Raft timing; etcd's defaults (100 ms, 1000 ms) when absent. */
  raft?: { heartbeatIntervalMs: number; electionTimeoutMs: number };
}

/**
 * An etcd member's key pairs and the CA it trusts (files), as kubeadm lays them out: it serves
 * clients with the server pair and peers with the peer pair, and admits a client or a peer only
 * with a certificate signed by the CA.
 */
export interface EtcdMemberTls {
  trustedCaFile: string;
  certFile: string;
  keyFile: string;
  peerCertFile: string;
  peerKeyFile: string;
}

/** The etcd binary: ETCD_BIN, or `etcd` on PATH (Debian's etcd-server). */
export function etcdBinary(): string {
  return process.env.ETCD_BIN ?? 'etcd';
}

/**
 * etcd's flags for `member`; it logs `serving client traffic` once ready (zap logger; "securely"
 * follows with TLS).
 */
export function etcdArgs(member: EtcdMember): string[] {
  const listen = member.listenHost ?? '127.0.0.1';
  const advertise = member.advertiseHost ?? listen;
  const tls = member.tls;
  const scheme = tls ? 'https' : 'http';
  return [
    `--name=${member.name}`,
    `--data-dir=${member.dataDir}`,
    `--listen-client-urls=${scheme}://${listen}:${member.clientPort}`,
    `--advertise-client-urls=${scheme}://${advertise}:${member.clientPort}`,
    `--listen-peer-urls=${scheme}://${listen}:${member.peerPort}`,
    `--initial-advertise-peer-urls=${scheme}://${advertise}:${member.peerPort}`,
    `--initial-cluster=${member.initialCluster}`,
    '--initial-cluster-state=new',
    // A member back from a kill or a partition asks whether it could win before it campaigns, as
    // etcd ≥ 3.5 does by default: without it, 3.4's rejoining member raises the term and deposes a
    // healthy leader, and every linearizable read waits out the election (about 1.5 s).
    '--pre-vote=true',
    ...(member.raft
      ? [
          `--heartbeat-interval=${member.raft.heartbeatIntervalMs}`,
          `--election-timeout=${member.raft.electionTimeoutMs}`,
        ]
      : []),
    ...(tls
      ? [
          `--cert-file=${tls.certFile}`,
          `--key-file=${tls.keyFile}`,
          '--client-cert-auth=true',
          `--trusted-ca-file=${tls.trustedCaFile}`,
          `--peer-cert-file=${tls.peerCertFile}`,
          `--peer-key-file=${tls.peerKeyFile}`,
          '--peer-client-cert-auth=true',
          `--peer-trusted-ca-file=${tls.trustedCaFile}`,
        ]
      : []),
    '--logger=zap',
  ];
}
