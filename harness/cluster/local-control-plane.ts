import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate } from '../../orchestrator/api/pki.js';
import { createServer } from 'node:net';
import { etcdArgs, etcdBinary } from './etcd-command.js';
import { ORCHESTRATOR_MAIN, componentNodeArgs } from './host-programs.js';
import { LocalProcess, httpReady, outputContains } from './local-process.js';

export interface LocalControlPlaneOptions {
  /** Working directory: etcd data and component logs go here. */
  dir: string;
  tokenFile: string;
  /** Started processes are appended here so the caller can stop them, even if a later start fails. */
  processes: LocalProcess[];
  etcdBin?: string;
  /** Further flags of `orchestrator apiserver`, e.g. `--service-node-port-range=30080-30099`. */
  apiserverArgs?: string[];
}

export interface LocalControlPlane {
  etcdUrl: string;
  apiserverUrl: string;
  /** The CA that signed the apiserver's serving certificate (PEM), and its file. */
  caPem: string;
  caFile: string;
}

/** etcd and the orchestrator's apiserver as local processes on free loopback ports. */
export async function startLocalControlPlane(opts: LocalControlPlaneOptions): Promise<LocalControlPlane> {
  const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = new LocalProcess({
    name: 'etcd',
    command: opts.etcdBin ?? etcdBinary(),
    args: etcdArgs({
      name: 'etcd-0',
      dataDir: join(opts.dir, 'etcd'),
      clientPort,
      peerPort,
      initialCluster: `etcd-0=${peerUrl}`,
    }),
    logFile: join(opts.dir, 'etcd.log'),
    ready: outputContains('serving client traffic'),
  });
  opts.processes.push(etcd);
  await etcd.start();
  const apiserverUrl = `https://127.0.0.1:${apiPort}`;
  const ca = createCertificateAuthority('crucible-ca');
  const serving = issueServingCertificate(ca, { commonName: 'apiserver', hosts: ['127.0.0.1', 'localhost'] });
  const caFile = join(opts.dir, 'ca.crt');
  await writeFile(caFile, ca.certPem);
  await writeFile(join(opts.dir, 'apiserver.crt'), serving.certPem);
  await writeFile(join(opts.dir, 'apiserver.key'), serving.keyPem, { mode: 0o600 });
  const apiserver = new LocalProcess({
    name: 'apiserver',
    command: process.execPath,
    args: [
      ...componentNodeArgs(),
      ORCHESTRATOR_MAIN,
      'apiserver',
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${join(opts.dir, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(opts.dir, 'apiserver.key')}`,
      `--token-auth-file=${opts.tokenFile}`,
      '--log-level=warn',
      ...(opts.apiserverArgs ?? []),
    ],
    logFile: join(opts.dir, 'apiserver.log'),
    ready: httpReady(`${apiserverUrl}/readyz`, ca.certPem),
  });
  opts.processes.push(apiserver);
  await apiserver.start();
  return { etcdUrl, apiserverUrl, caPem: ca.certPem, caFile };
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
