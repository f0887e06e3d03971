import { confinedCommandLine, shimCommandLine } from './container-shim.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  ContainerStartError,
  type ContainerConfig,
  type ContainerInfo,
  type ContainerRuntime,
} from './container-runtime.js';

/** Where the process runtime keeps its state. */
export interface ProcessRuntimeOptions {
  /** The kubelet's root dir: container state files go to `<rootDir>/containers`. */
  rootDir: string;
  /** How long `start` waits for the shim to report the program's pid. */
  startTimeoutMs?: number;
}

/** How long a shim's pid line is awaited after the shim exited, when fd 3 does not end sooner. */
const SHIM_EXIT_GRACE_MS = 1_000;

/** Resolves once `stream` has ended or closed, or after `graceMs`, whichever comes first. */
function controlEnded(stream: Readable, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, graceMs);
    stream.once('end', done);
    stream.once('close', done);
    if (stream.readableEnded || stream.destroyed) done();
    function done(): void {
      clearTimeout(timer);
      stream.off('end', done);
      stream.off('close', done);
      resolve();
    }
  });
}

/** What is kept on disk per running container, so a later kubelet can find what this one left. */
interface StateFile {
  id: string;
  podUid: string;
  namespace: string;
  podName: string;
  containerName: string;
  /** The shim's pid, which is also the container's process group id. */
  pgid: number;
  pid: number;
  /** Field 22 of /proc/<pgid>/stat, so a recycled pid is never mistaken for the shim. */
  procStart?: string;
}

interface Live {
  info: ContainerInfo;
  child: ChildProcess;
  pgid: number;
  exited: Promise<void>;
}

/**
 * Runs each container as a process group led by the container shim (container-shim.ts), on
 * this host. A container dies with the kubelet: the shim kills its group when the kubelet's end
 * of fd 3 closes. A state file per running container lets `reapLeftovers` kill what a previous
 * kubelet left behind.
 */
export class ProcessRuntime implements ContainerRuntime {
  private readonly live = new Map<string, Live>();
  private readonly listeners: ((info: ContainerInfo) => void)[] = [];
  private readonly stateDir: string;

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.stateDir = join(options.rootDir, 'containers');
    mkdirSync(this.stateDir, { recursive: true });
  }

  onExit(listener: (info: ContainerInfo) => void): void {
    this.listeners.push(listener);
  }

  list(): ContainerInfo[] {
    return [...this.live.values()].map((l) => l.info);
  }

  /**
   * Every running container with its process group id (the shim's pid), whose members are the
   * container's processes: what the resource usage sampler measures.
   */
  runningGroups(): { info: ContainerInfo; pgid: number }[] {
    return [...this.live.values()]
      .filter((l) => l.info.state === 'running')
      .map((l) => ({ info: l.info, pgid: l.pgid }));
  }

  status(id: string): ContainerInfo | undefined {
    return this.live.get(id)?.info;
  }

  forget(id: string): void {
    if (this.live.get(id)?.info.state === 'exited') this.live.delete(id);
  }

  async start(config: ContainerConfig): Promise<ContainerInfo> {
    const id = randomBytes(8).toString('hex');
    let logFd: number;
    try {
      mkdirSync(join(config.logPath, '..'), { recursive: true });
      logFd = openSync(config.logPath, 'a');
    } catch (e) {
      throw new ContainerStartError(`cannot open log file ${config.logPath}: ${(e as Error).message}`);
    }
    let child: ChildProcess;
    try {
      const shim = shimCommandLine(config.command, config.args, config.workingDir);
      const command = config.confinement ? confinedCommandLine(shim, config.confinement) : shim;
      child = spawn(
        command.file,
        command.argv,
        // Its own process group, so a stop reaches everything the container started.
        { detached: true, stdio: ['ignore', logFd, logFd, 'pipe'], env: config.env },
      );
    } catch (e) {
      throw new ContainerStartError(`cannot start the container shim: ${(e as Error).message}`);
    } finally {
      closeSync(logFd);
    }
    const control = child.stdio[3] as Readable;
    const exitedWith = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.once('error', () => undefined);
    const pid = await this.awaitPid(control, exitedWith);
    const pgid = child.pid!;
    const info: ContainerInfo = {
      id,
      podUid: config.podUid,
      namespace: config.namespace,
      podName: config.podName,
      containerName: config.containerName,
      pid,
      startedAt: new Date(),
      state: 'running',
      logPath: config.logPath,
    };
    this.writeState({
      id,
      podUid: config.podUid,
      namespace: config.namespace,
      podName: config.podName,
      containerName: config.containerName,
      pgid,
      pid,
      procStart: procStartTime(pgid),
    });
    const exited = exitedWith.then(({ code, signal }) => {
      // Whatever the program left in its group goes with it.
      killGroup(pgid, 'SIGKILL');
      this.removeState(id);
      info.state = 'exited';
      info.exitCode = code ?? 128 + signalNumber(signal);
      if (signal) info.signal = signal;
      info.finishedAt = new Date();
      for (const listener of this.listeners) {
        try {
          listener(info);
        } catch {
          // A listener's failure is its own.
        }
      }
    });
    this.live.set(id, { info, child, pgid, exited });
    return info;
  }

  async stop(id: string, graceMs: number): Promise<void> {
    const live = this.live.get(id);
    if (!live || live.info.state === 'exited') return;
    killGroup(live.pgid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(live.pgid, 'SIGKILL'), Math.max(0, graceMs));
    try {
      await live.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async logs(logPath: string, tailLines?: number): Promise<string> {
    let text: string;
    try {
      const handle = await open(logPath, 'r');
      try {
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch {
      return '';
    }
    if (tailLines === undefined) return text;
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(Math.max(0, lines.length - tailLines)).join('\n') + (lines.length ? '\n' : '');
  }

  /**
   * Kills the process groups a previous kubelet recorded and that still run (normally none: the
   * shims kill their groups when that kubelet dies). Returns the state files found.
   */
  reapLeftovers(): StateFile[] {
    const found: StateFile[] = [];
    for (const name of safeReaddir(this.stateDir)) {
      if (!name.endsWith('.json')) continue;
      const file = join(this.stateDir, name);
      try {
        const state = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
        found.push(state);
        if (this.live.has(state.id)) continue;
        const start = procStartTime(state.pgid);
        if (start !== undefined && state.procStart !== undefined && start !== state.procStart) {
          // The pid was recycled by an unrelated process; the group it led is long gone.
        } else {
          killGroup(state.pgid, 'SIGKILL');
        }
      } catch {
        // An unreadable state file names nothing we could kill.
      }
      rmSync(file, { force: true });
    }
    return found;
  }

  /** Stops every running container, each with `graceMs`. */
  async stopAll(graceMs: number): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.stop(id, graceMs)));
  }

  private awaitPid(
    control: Readable,
    exitedWith: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  ): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let buffered = '';
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        control.off('data', onData);
        fn();
      };
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString();
        const nl = buffered.indexOf('\n');
        if (nl < 0) return;
        try {
          const msg = JSON.parse(buffered.slice(0, nl)) as { pid?: number; error?: string };
          if (typeof msg.pid === 'number') settle(() => resolve(msg.pid!));
          else settle(() => reject(new ContainerStartError(msg.error ?? 'the container did not start')));
        } catch {
          settle(() => reject(new ContainerStartError('the container shim spoke nonsense')));
        }
      };
      const timer = setTimeout(
        () => settle(() => reject(new ContainerStartError('the container did not start in time'))),
        this.options.startTimeoutMs ?? 10_000,
      );
      control.on('data', onData);
      // Keeps the kubelet's end open (and drained) for the container's whole life.
      control.on('error', () => undefined);
      // A shim that exited may still have a pid on its way: a kubelet whose loop stalled sees the
      // exit and the pid together, in either order, and a program that ran and exited is no
      // failure to start. So the pid line is awaited up to fd 3's end (or a short grace, if a
      // killed shim left its watcher holding fd 3).
      void exitedWith
        .then(({ code, signal }) => controlEnded(control, SHIM_EXIT_GRACE_MS).then(() => signal ?? code))
        .then((how) => settle(() => reject(new ContainerStartError(`the container shim exited (${how})`))));
    });
  }

  private writeState(state: StateFile): void {
    try {
      writeFileSync(join(this.stateDir, `${state.id}.json`), JSON.stringify(state));
    } catch {
      // Without it only a crashed kubelet's leftovers could be missed; the shim kills them anyway.
    }
  }

  private removeState(id: string): void {
    rmSync(join(this.stateDir, `${id}.json`), { force: true });
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 0) : 0;
}

function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it are counted from its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
