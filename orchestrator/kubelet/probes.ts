import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CONFINE_TOOLS } from '../api/pod-confinement.js';
import { tcpConnect } from '../api/tcp-connect.js';
import type { Probe } from '../api/types.js';

/** The three probes of a container. */
export type ProbeKind = 'liveness' | 'readiness' | 'startup';
/** One probe run's result; a timeout or an error is a failure. */
export type ProbeOutcome = 'success' | 'failure';

/** Where a probe's numbered or named port is served, and the container's env for exec probes. */
export interface ProbeTarget {
  host: string;
  /** Maps a probe's port (a containerPort number or a port name) to the port to connect to. */
  resolvePort(port: number | string): number | undefined;
  env: Record<string, string>;
  cwd?: string;
  /** The container's user, which exec probes run as too (a confined pod's command must not run as root). */
  user?: { uid: number; gid: number };
  /** A process of the container: exec probes run in its mount namespace, so they see its volumes and token. */
  mountNamespacePid?: number;
}

/** Runs one probe once: success or failure (a timeout is a failure), with a message on failure. */
export async function runProbe(
  probe: Probe,
  target: ProbeTarget,
): Promise<{ outcome: ProbeOutcome; message?: string }> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) {
      const port = target.resolvePort(probe.httpGet.port);
      if (port === undefined) return fail(`port ${probe.httpGet.port} is not a port of the container`);
      const status = await httpGet(
        probe.httpGet.scheme?.toUpperCase() === 'HTTPS',
        probe.httpGet.host || target.host,
        port,
        probe.httpGet.path ?? '/',
        timeoutMs,
      );
      return status >= 200 && status < 400
        ? { outcome: 'success' }
        : fail(`HTTP probe failed with statuscode: ${status}`);
    }
    if (probe.tcpSocket) {
      const port = target.resolvePort(probe.tcpSocket.port);
      if (port === undefined) return fail(`port ${probe.tcpSocket.port} is not a port of the container`);
      await tcpConnect(probe.tcpSocket.host || target.host, port, timeoutMs);
      return { outcome: 'success' };
    }
    if (probe.exec?.command?.length) {
      const code = await execCommand(probe.exec.command, target, timeoutMs);
      return code === 0 ? { outcome: 'success' } : fail(`command exited with ${code}`);
    }
    return fail('probe has no handler');
  } catch (e) {
    return fail((e as Error).message);
  }
}

function fail(message: string): { outcome: ProbeOutcome; message: string } {
  return { outcome: 'failure', message };
}

function httpGet(tls: boolean, host: string, port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : request)(
      {
        host,
        port,
        path,
        method: 'GET',
        headers: { 'user-agent': 'kube-probe/1.32', connection: 'close' },
        rejectUnauthorized: false,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function execCommand(command: string[], target: ProbeTarget, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = command;
    const program = cmd === 'node' ? process.execPath : cmd!;
    const { user, mountNamespacePid } = target;
    // In the container's mount namespace, then as its user without capabilities, as it runs.
    const [file, argv] =
      user && mountNamespacePid !== undefined
        ? [
            CONFINE_TOOLS.nsenter,
            [
              '-t',
              String(mountNamespacePid),
              '-m',
              '--',
              CONFINE_TOOLS.setpriv,
              `--reuid=${user.uid}`,
              `--regid=${user.gid}`,
              '--clear-groups',
              '--inh-caps=-all',
              '--bounding-set=-all',
              '--no-new-privs',
              '--',
              program,
              ...args,
            ],
          ]
        : [program, args];
    const child = spawn(file, argv, {
      env: target.env,
      cwd: target.cwd,
      ...(user && mountNamespacePid === undefined ? { uid: user.uid, gid: user.gid } : {}),
      stdio: 'ignore',
      detached: true,
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new Error(`command timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** What a container's probes tell its pod worker. */
export interface ProbeListener {
  /** The startup probe passed (or there is none): liveness and readiness may start. */
  started(): void;
  /** Readiness changed. */
  readiness(ready: boolean): void;
  /** Liveness or startup failed failureThreshold times in a row: the container must restart. */
  unhealthy(kind: 'liveness' | 'startup', message: string): void;
  /** Every result, for metrics and events. */
  result(kind: ProbeKind, outcome: ProbeOutcome, message?: string): void;
}

/**
 * The probes of one container instance, as the kubelet's prober runs them: the startup probe
 * first, then liveness and readiness, each after initialDelaySeconds and every periodSeconds,
 * with successThreshold and failureThreshold consecutive results needed to change state.
 * `stop()` ends them (the instance exited); results arriving after that are dropped.
 */
export class ContainerProbes {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly probes: { liveness?: Probe; readiness?: Probe; startup?: Probe },
    private readonly target: ProbeTarget,
    private readonly listener: ProbeListener,
  ) {}

  start(): void {
    const { startup } = this.probes;
    if (startup) {
      this.loop('startup', startup, (outcome, message, counts) => {
        if (outcome === 'success' && counts.successes >= 1) {
          this.listener.started();
          this.startMain();
          return false;
        }
        if (outcome === 'failure' && counts.failures >= (startup.failureThreshold ?? 3)) {
          this.listener.unhealthy('startup', message ?? 'startup probe failed');
          return false;
        }
        return true;
      });
    } else {
      this.listener.started();
      this.startMain();
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private startMain(): void {
    const { liveness, readiness } = this.probes;
    if (liveness) {
      this.loop('liveness', liveness, (outcome, message, counts) => {
        if (outcome === 'failure' && counts.failures >= (liveness.failureThreshold ?? 3)) {
          this.listener.unhealthy('liveness', message ?? 'liveness probe failed');
          return false;
        }
        return true;
      });
    }
    if (readiness) {
      let ready = false;
      this.loop('readiness', readiness, (outcome, _message, counts) => {
        if (!ready && outcome === 'success' && counts.successes >= (readiness.successThreshold ?? 1)) {
          ready = true;
          this.listener.readiness(true);
        } else if (ready && outcome === 'failure' && counts.failures >= (readiness.failureThreshold ?? 3)) {
          ready = false;
          this.listener.readiness(false);
        }
        return true;
      });
    } else {
      this.listener.readiness(true);
    }
  }

  /** Probes every period until `decide` returns false or the probes stop. */
  private loop(
    kind: ProbeKind,
    probe: Probe,
    decide: (
      outcome: ProbeOutcome,
      message: string | undefined,
      counts: { successes: number; failures: number },
    ) => boolean,
  ): void {
    const periodMs = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    const counts = { successes: 0, failures: 0 };
    const tick = async () => {
      if (this.stopped) return;
      const { outcome, message } = await runProbe(probe, this.target);
      if (this.stopped) return;
      if (outcome === 'success') {
        counts.successes++;
        counts.failures = 0;
      } else {
        counts.failures++;
        counts.successes = 0;
      }
      this.listener.result(kind, outcome, message);
      if (decide(outcome, message, counts)) this.after(periodMs, tick);
    };
    this.after(Math.max(0, probe.initialDelaySeconds ?? 0) * 1000, tick);
  }

  private after(ms: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void fn();
    }, ms);
    this.timers.add(t);
  }
}
