/** One etcd member on loopback: its name, data directory, ports and the whole initial cluster. */
export interface EtcdMember {
  name: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  /** `name=http://127.0.0.1:peerPort` of every member, this one included. */
  initialCluster: string;
}

/** The etcd binary: ETCD_BIN, or `etcd` on PATH (Debian's etcd-server). */
export function etcdBinary(): string {
  return process.env.ETCD_BIN ?? 'etcd';
}

/** etcd's flags for `member`; it logs `serving client traffic` once ready (zap logger). */
export function etcdArgs(member: EtcdMember): string[] {
  const client = `http://127.0.0.1:${member.clientPort}`;
  const peer = `http://127.0.0.1:${member.peerPort}`;
  return [
    `--name=${member.name}`,
    `--data-dir=${member.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${member.initialCluster}`,
    '--initial-cluster-state=new',
    '--logger=zap',
  ];
}
