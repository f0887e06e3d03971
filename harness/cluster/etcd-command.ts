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
  /** `name=http://host:peerPort` of every member, this one included. */
  initialCluster: string;
}

/** The etcd binary: ETCD_BIN, or `etcd` on PATH (Debian's etcd-server). */
export function etcdBinary(): string {
  return process.env.ETCD_BIN ?? 'etcd';
}

/** etcd's flags for `member`; it logs `serving client traffic` once ready (zap logger). */
export function etcdArgs(member: EtcdMember): string[] {
  const listen = member.listenHost ?? '127.0.0.1';
  const advertise = member.advertiseHost ?? listen;
  return [
    `--name=${member.name}`,
    `--data-dir=${member.dataDir}`,
    `--listen-client-urls=http://${listen}:${member.clientPort}`,
    `--advertise-client-urls=http://${advertise}:${member.clientPort}`,
    `--listen-peer-urls=http://${listen}:${member.peerPort}`,
    `--initial-advertise-peer-urls=http://${advertise}:${member.peerPort}`,
    `--initial-cluster=${member.initialCluster}`,
    '--initial-cluster-state=new',
    '--logger=zap',
  ];
}
