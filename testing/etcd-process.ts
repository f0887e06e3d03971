import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/cluster/local-control-plane.js';
import { reapOnExit } from '../harness/cluster/child-reaper.js';
import { type EtcdMemberTls, etcdArgs, etcdBinary } from '../harness/cluster/etcd-command.js';
import {
  type KeyPair,
  createCertificateAuthority,
  issueClientCertificate,
  issuePeerCertificate,
} from '../orchestrator/api/pki.js';

/** What a client of an etcd that requires client certificates needs (PEM): etcd's CA, and a key pair it signed. */
export interface EtcdClientPki {
  caPem: string;
  client: KeyPair;
}

/**
 * A real single-member etcd for tests, on free loopback ports with its own data directory: plain
 * http, or with `tls` mutual TLS as a cluster's etcd (a CA of its own; clients need a certificate
 * it signed, `pki` gives one). `stop()` and `start()` again keep the data and ports, so tests can
 * take etcd away and bring it back; `destroy()` removes everything.
 */
export class EtcdProcess {
  private child?: ChildProcess;

  private constructor(
    readonly clientPort: number,
    private readonly peerPort: number,
    private readonly dir: string,
    private readonly tls?: EtcdMemberTls,
    /** With `tls`: etcd's CA and a client key pair it signed. */
    readonly pki?: EtcdClientPki,
  ) {}

  static async start(options: { tls?: boolean } = {}): Promise<EtcdProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-etcd-'));
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    if (!options.tls) {
      const etcd = new EtcdProcess(clientPort, peerPort, dir);
      await etcd.start();
      return etcd;
    }
    const ca = createCertificateAuthority('etcd-ca');
    const member = issuePeerCertificate(ca, { commonName: 'test', hosts: ['127.0.0.1', 'localhost'] });
    const pki = join(dir, 'pki');
    await mkdir(pki);
    const tls: EtcdMemberTls = {
      trustedCaFile: join(pki, 'ca.crt'),
      certFile: join(pki, 'member.crt'),
      keyFile: join(pki, 'member.key'),
      peerCertFile: join(pki, 'member.crt'),
      peerKeyFile: join(pki, 'member.key'),
    };
    await writeFile(tls.trustedCaFile, ca.certPem);
    await writeFile(tls.certFile, member.certPem);
    await writeFile(tls.keyFile, member.keyPem, { mode: 0o600 });
    const client = issueClientCertificate(ca, { commonName: 'test-client' });
    const etcd = new EtcdProcess(clientPort, peerPort, dir, tls, { caPem: ca.certPem, client });
    await etcd.start();
    return etcd;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.clientPort}`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const peer = `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.peerPort}`;
    const child = spawn(
      etcdBinary(),
      etcdArgs({
        name: 'test',
        dataDir: join(this.dir, 'data'),
        clientPort: this.clientPort,
        peerPort: this.peerPort,
        initialCluster: `test=${peer}`,
        tls: this.tls,
      }),
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    reapOnExit(child);
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(
        () => reject(new Error(`etcd did not start within 15 s:\n${log.slice(-2000)}`)),
        15_000,
      );
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('serving client traffic') || log.includes('ready to serve client requests')) {
          clearTimeout(timer);
          child.stderr!.removeAllListeners('data');
          child.stderr!.resume();
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`etcd exited with ${code}:\n${log.slice(-2000)}`));
      });
    });
  }

  /** Stops etcd (SIGTERM) and waits for it to exit; data and ports are kept. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
