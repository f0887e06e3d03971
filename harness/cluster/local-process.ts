import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { Agent, request } from 'undici';
import { reapOnExit } from './child-reaper.js';
import { pollUntil } from '../support/poll-until.js';

export interface LocalProcessSpec {
  name: string;
  command: string;
  args: string[];
  /** File that receives stdout and stderr. */
  logFile: string;
  /** Resolves once the process is ready; rejects on timeout. */
  ready: (output: () => string) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

/**
 * One component run as a local process, its output kept in a log file. `stop()` sends SIGTERM,
 * waits, then SIGKILLs; it is safe to call twice. A process exiting before it is ready fails
 * `start` with the tail of its output.
 */
export class LocalProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private output = '';

  constructor(readonly spec: LocalProcessSpec) {}

  /** What the process printed so far (the first 64 KiB). */
  get printed(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const log = createWriteStream(this.spec.logFile, { flags: 'a' });
    this.log = log;
    const child = spawn(this.spec.command, this.spec.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.spec.env },
    });
    this.child = child;
    reapOnExit(child);
    const collect = (chunk: Buffer) => {
      log.write(chunk);
      if (this.output.length < 64 * 1024) this.output += chunk.toString();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(
          new Error(
            `${this.spec.name} exited (${signal ?? code}) before it was ready:\n${this.output.slice(-2000)}`,
          ),
        ),
      ),
    );
    try {
      await Promise.race([this.spec.ready(() => this.output), exited]);
    } catch (e) {
      await this.stop();
      throw e;
    }
    exited.catch(() => undefined);
  }

  /** SIGKILL, as a crash: no clean-up runs in the process. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await gone;
    }
    await this.stop();
  }

  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(() => resolve()) : resolve()));
    this.log = undefined;
  }
}

/** Ready when the output contains `text`, within `timeoutMs`. */
export function outputContains(text: string | RegExp, timeoutMs = 15_000): LocalProcessSpec['ready'] {
  return (output) =>
    pollUntil(
      () => (typeof text === 'string' ? output().includes(text) : text.test(output())),
      timeoutMs,
      `"${text}" in the output`,
    );
}

/** Ready when `url` answers 200 (over TLS trusting `caPem` when given), within `timeoutMs`. */
export function httpReady(url: string, caPem?: string, timeoutMs = 15_000): LocalProcessSpec['ready'] {
  return async () => {
    const dispatcher = new Agent({ connect: caPem ? { ca: caPem } : {} });
    const answers200 = async () => {
      try {
        const res = await request(url, { dispatcher });
        await res.body.dump();
        return res.statusCode === 200;
      } catch {
        return false;
      }
    };
    try {
      await pollUntil(answers200, timeoutMs, `${url} answering 200`);
    } finally {
      await dispatcher.close();
    }
  };
}
