import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/cluster/local-control-plane.js';
import { reapOnExit } from '../harness/cluster/child-reaper.js';
import { etcdArgs, etcdBinary } from '../harness/cluster/etcd-command.js';

/**
 * A real single-member etcd for tests, on free loopback ports with its own data directory.
 * `stop()` and `start()` again keep the data and ports, so tests can take etcd away and bring it
 * back; `destroy()` removes everything.
 */
export class EtcdProcess {
  private child?: ChildProcess;

  private constructor(
    readonly clientPort: number,
    private readonly peerPort: number,
    private readonly dataDir: string,
  ) {}

  static async start(): Promise<EtcdProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'crucible-etcd-'));
    const etcd = new EtcdProcess(await freePort(), await freePort(), dataDir);
    await etcd.start();
    return etcd;
  }

  get url(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const child = spawn(
      etcdBinary(),
      etcdArgs({
        name: 'test',
        dataDir: this.dataDir,
        clientPort: this.clientPort,
        peerPort: this.peerPort,
        initialCluster: `test=${peer}`,
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
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
