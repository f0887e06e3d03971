import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ApiClient, EventRecorder } from '../api/client/index.js';
import { sleep, systemTimers } from '../api/client/timer-scheduler.js';
import { formatTime } from '../api/clock.js';
import { isApiError } from '../api/errors.js';
import { withCondition } from '../api/pod-helpers.js';
import { findResource } from '../api/resources.js';
import type {
  Condition,
  Container,
  ContainerState,
  ContainerStatus,
  Pod,
  PodStatus,
  PortMapping,
} from '../api/types.js';
import { lstat, mkdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, normalize } from 'node:path';
import { ConfigSourceError, type ConfigSources } from './config-sources.js';
import { ContainerConfigError, containerEnv } from './container-env.js';
import { ContainerStartError, type ContainerInfo, type ContainerRuntime } from './container-runtime.js';
import type { BindMount } from './container-shim.js';
import type { NodeFacts } from './downward-api.js';
import type { PodSandboxes, PreparedSandbox } from './pod-sandbox.js';
import { VolumeSetUpError, type PodVolumes } from './pod-volumes.js';
import type { PortAllocator } from './port-allocator.js';
import { ContainerProbes, type ProbeKind, type ProbeOutcome } from './probes.js';

const PODS = findResource('', 'v1', 'pods')!;

/**
 * An image resolved to what its containers run (as an image's ENTRYPOINT and WORKDIR: a
 * container's command replaces the entry point, its args follow it, its workingDir replaces the
 * image's), or the reason it cannot be.
 */
export type ImageResolution =
  | { entrypoint: string[]; workingDir?: string; imageId: string }
  | { reason: 'ErrImagePull' | 'InvalidImageName'; message: string };

/** What pod workers report for metrics. */
export interface PodWorkerMetrics {
  containerRestarted(namespace: string, pod: string, container: string): void;
  probeResult(kind: ProbeKind, outcome: ProbeOutcome): void;
}

/** Everything a pod worker needs from its kubelet. */
export interface PodWorkerDeps {
  runtime: ContainerRuntime;
  ports: PortAllocator;
  client: ApiClient;
  recorder?: EventRecorder;
  log: Logger;
  nodeName: string;
  nodeIp: string;
  rootDir: string;
  /** Restart back-off: the first restart is immediate, then base doubling up to max. */
  backoff: { baseMs: number; maxMs: number };
  /** How long a failed status write waits before it is tried again. */
  statusRetryMs: number;
  resolveImage(image: string | undefined): ImageResolution;
  /** Kubernetes' service environment variables of `namespace`. */
  serviceEnv(namespace: string): Record<string, string>;
  /** Confines the pod's containers (own user, own directory, its service account token); absent: not confined. */
  sandboxes?: PodSandboxes;
  /** The ConfigMaps and Secrets the pod's environment draws on. */
  sources: ConfigSources;
  /** Sets up the pod's volumes. */
  volumes: PodVolumes;
  /** The node, as the downward API shows it. */
  node: NodeFacts;
  /** How often the files of secret, configMap, downwardAPI and projected volumes are brought up to date. */
  volumeRefreshMs: number;
  metrics: PodWorkerMetrics;
  /** Called once when the worker is done: the pod is stopped and deleted (or gone). */
  onDone(uid: string): void;
}

type Terminated = NonNullable<ContainerState['terminated']>;

/** One container of the pod: the spec, the running instance if any, and its history. */
interface ContainerRecord {
  spec: Container;
  ports?: PortMapping[];
  current?: ContainerInfo;
  /** The instance being started; its exit may arrive before `start` resolves. */
  starting: boolean;
  probes?: ContainerProbes;
  started: boolean;
  ready: boolean;
  restartCount: number;
  /** Everything before the current state: the last exit that led to a restart. */
  lastState?: Terminated;
  /** The final state of a container that will not be restarted. */
  terminated?: Terminated;
  waiting?: { reason: string; message?: string };
  /** When the next start may happen (back-off or image retry). */
  notBefore: number;
  nextBackoffMs: number;
  /** Set when the kubelet itself stops the instance (liveness, startup): it is restarted unless Never. */
  killedByKubelet?: string;
  lastContainerId?: string;
  imageId: string;
  /** Who the container runs as, once started confined. */
  user?: { uid: number; gid: number };
}

/**
 * The kubelet's per-pod worker: starts the pod's containers, restarts them per restartPolicy
 * with back-off, runs their probes, stops them gracefully on deletion and writes the pod's
 * status (PATCH …/status, merge) whenever what it would write differs from what the API holds.
 * Work is serialized: each change (pod update, exit, probe, timer) asks for another sync pass.
 * API failures never stop containers; status writes are retried until they land.
 */
export class PodWorker {
  private pod: Pod;
  private readonly records = new Map<string, ContainerRecord>();
  private syncing = false;
  private dirty = false;
  private finalPhase?: 'Succeeded' | 'Failed';
  private terminating?: Promise<void>;
  private terminationGraceSeconds?: number;
  private removed = false;
  private done = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private startTime: string;
  private lastWritten?: { status: PodStatus; resourceVersion: number };
  private readonly log: Logger;
  /** Each volume's folder on the node, once set up. */
  private volumePaths?: Map<string, string>;
  private volumeRefresh?: NodeJS.Timeout;

  constructor(
    private readonly deps: PodWorkerDeps,
    pod: Pod,
  ) {
    this.pod = pod;
    this.log = deps.log.child({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
    this.startTime = pod.status?.startTime ?? formatTime(new Date());
    const previous = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
    for (const spec of pod.spec.containers) {
      const prev = previous.get(spec.name);
      this.records.set(spec.name, {
        spec,
        starting: false,
        started: false,
        ready: false,
        restartCount: 0,
        notBefore: 0,
        nextBackoffMs: 0,
        imageId: '',
      });
      // A container that ran under an earlier kubelet died with it: its history carries on.
      if (prev) this.recordLostContainer(spec.name, prev);
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')
      this.finalPhase = pod.status.phase;
  }

  get uid(): string {
    return this.pod.metadata.uid!;
  }

  get namespace(): string {
    return this.pod.metadata.namespace ?? 'default';
  }

  get name(): string {
    return this.pod.metadata.name!;
  }

  /**
   * The pod as the read-only server shows it: the API's pod with the status this worker sees now,
   * not the one the API holds (which lags, or is stale while the control plane is away).
   */
  view(): Pod {
    return { ...this.pod, status: this.desiredStatus() };
  }

  /** The log file of `container`'s current (or last) instance. */
  logPath(container: string): string | undefined {
    if (!this.records.has(container)) return undefined;
    return join(this.podDir(), `${container}.log`);
  }

  /** A newer version of the pod from the API. */
  update(pod: Pod): void {
    this.pod = pod;
    const grace = pod.metadata.deletionGracePeriodSeconds;
    // A second delete may shorten the grace period of a termination under way, as upstream honours.
    if (this.terminating && grace !== undefined && grace < (this.terminationGraceSeconds ?? Infinity)) {
      this.terminationGraceSeconds = grace;
      for (const rec of this.records.values())
        if (rec.current) void this.deps.runtime.stop(rec.current.id, grace * 1000);
    }
    this.kick();
  }

  /** The API no longer has the pod: stop everything, delete nothing. */
  remove(): void {
    this.removed = true;
    this.kick();
  }

  /** The kubelet is shutting down: stop every container with at most `graceMs`. */
  async shutdown(graceMs: number): Promise<void> {
    this.removed = true;
    this.done = true;
    this.clearTimers();
    for (const rec of this.records.values()) rec.probes?.stop();
    await Promise.all(
      [...this.records.values()].map((rec) =>
        rec.current ? this.deps.runtime.stop(rec.current.id, graceMs) : undefined,
      ),
    );
  }

  /** Called by the kubelet for each exit of one of this pod's containers. */
  containerExited(info: ContainerInfo): void {
    const rec = [...this.records.values()].find((r) => r.current?.id === info.id);
    if (!rec) return;
    rec.current = undefined;
    rec.probes?.stop();
    rec.probes = undefined;
    rec.ready = false;
    rec.started = false;
    this.deps.runtime.forget(info.id);
    const exitCode = info.exitCode ?? 0;
    const term: Terminated = {
      exitCode,
      ...(info.signal ? { signal: signalNumber(exitCode) } : {}),
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: formatTime(info.startedAt),
      finishedAt: formatTime(info.finishedAt ?? new Date()),
      containerID: `process://${info.pid}`,
    } as Terminated;
    const killed = rec.killedByKubelet;
    rec.killedByKubelet = undefined;
    this.log.info({ container: rec.spec.name, pid: info.pid, exitCode, killed }, 'container exited');
    if (this.terminating || this.removed || this.done) {
      rec.terminated = term;
    } else {
      const policy = this.pod.spec.restartPolicy ?? 'Always';
      const restart = killed
        ? policy !== 'Never'
        : policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
      if (restart) this.scheduleRestart(rec, term, info);
      else rec.terminated = term;
    }
    this.kick();
  }

  private scheduleRestart(rec: ContainerRecord, term: Terminated, info: ContainerInfo): void {
    const { baseMs, maxMs } = this.deps.backoff;
    const ranMs = (info.finishedAt ?? new Date()).getTime() - info.startedAt.getTime();
    // A container that ran well for long enough starts its back-off afresh, as the kubelet's does.
    if (ranMs > 2 * maxMs) rec.nextBackoffMs = 0;
    const delay = rec.nextBackoffMs;
    rec.nextBackoffMs = delay === 0 ? baseMs : Math.min(maxMs, delay * 2);
    rec.restartCount++;
    rec.lastState = term;
    rec.terminated = undefined;
    rec.notBefore = Date.now() + delay;
    this.deps.metrics.containerRestarted(this.namespace, this.name, rec.spec.name);
    if (delay > 0) {
      rec.waiting = {
        reason: 'CrashLoopBackOff',
        message: `back-off ${formatDelay(delay)} restarting failed container=${rec.spec.name} pod=${this.name}_${this.namespace}(${this.uid})`,
      };
      this.deps.recorder?.event(this.pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
      this.after(delay, () => this.kick());
    }
  }

  private kick(): void {
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    this.syncing = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    do {
      this.dirty = false;
      try {
        await this.syncOnce();
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'pod sync failed; retrying');
        this.after(this.deps.statusRetryMs, () => this.kick());
      }
    } while (this.dirty && !this.done);
    this.syncing = false;
  }

  private async syncOnce(): Promise<void> {
    if (this.done) return;
    if (this.removed || this.pod.metadata.deletionTimestamp) {
      this.terminating ??= this.terminate();
      return;
    }
    if (!this.finalPhase) {
      for (const rec of this.records.values()) await this.ensureRunning(rec);
      const phase = this.phase();
      if (phase === 'Succeeded' || phase === 'Failed') {
        this.finalPhase = phase;
        this.releasePorts();
      }
    }
    await this.writeStatus();
  }

  /** Starts the container unless it runs, is starting, is finished or must wait. */
  private async ensureRunning(rec: ContainerRecord): Promise<void> {
    if (rec.current || rec.starting || rec.terminated) return;
    const wait = rec.notBefore - Date.now();
    if (wait > 0) return;
    const program = this.resolveProgram(rec);
    if (!program) return;
    const workingDir = rec.spec.workingDir ?? program.workingDir;
    rec.starting = true;
    try {
      if (!rec.ports) rec.ports = await this.allocatePorts(rec.spec);
      const sandbox = await this.prepareSandbox();
      const volumes = await this.setUpVolumes(sandbox);
      const env = await this.containerEnv(rec, sandbox);
      const mounts = await this.mountsOf(rec.spec, volumes, sandbox);
      const info = await this.deps.runtime.start({
        podUid: this.uid,
        namespace: this.namespace,
        podName: this.name,
        containerName: rec.spec.name,
        command: program.command,
        args: program.args,
        env,
        workingDir: workingDir ?? this.workingDir(sandbox),
        logPath: join(this.podDir(), `${rec.spec.name}.log`),
        ...(sandbox.confinement ? { confinement: { ...sandbox.confinement, mounts } } : {}),
      });
      rec.current = info;
      rec.lastContainerId = `process://${info.pid}`;
      rec.waiting = undefined;
      if (sandbox.confinement) rec.user = { uid: sandbox.confinement.uid, gid: sandbox.confinement.gid };
      this.log.info({ container: rec.spec.name, pid: info.pid }, 'container started');
      this.deps.recorder?.event(this.pod, 'Normal', 'Started', `Started container ${rec.spec.name}`);
      if (info.state === 'exited') {
        this.containerExited(info);
        return;
      }
      this.startProbes(rec, env, sandbox, workingDir);
    } catch (e) {
      if (e instanceof VolumeSetUpError) {
        this.waitAndRetry(rec, 'ContainerCreating', e.message, 'FailedMount', e.message);
        return;
      }
      if (e instanceof ContainerConfigError || e instanceof ConfigSourceError) {
        this.waitAndRetry(rec, 'CreateContainerConfigError', e.message, 'Failed', `Error: ${e.message}`);
        return;
      }
      if (!(e instanceof ContainerStartError)) throw e;
      const now = new Date();
      this.log.warn({ container: rec.spec.name, err: e.message }, 'container failed to start');
      this.deps.recorder?.event(this.pod, 'Warning', 'Failed', `Error: ${e.message}`);
      const term = {
        exitCode: 128,
        reason: 'StartError',
        message: e.message,
        startedAt: formatTime(now),
        finishedAt: formatTime(now),
      };
      const policy = this.pod.spec.restartPolicy ?? 'Always';
      if (policy === 'Never') rec.terminated = term;
      else
        this.scheduleRestart(rec, term, {
          startedAt: now,
          finishedAt: now,
        } as ContainerInfo);
    } finally {
      rec.starting = false;
    }
  }

  /**
   * The container cannot start yet for want of something outside it (a ConfigMap, a Secret, a
   * key): it waits with `reason` and is tried again after a back-off; an event says why, once per
   * new reason.
   */
  private waitAndRetry(
    rec: ContainerRecord,
    reason: string,
    message: string,
    eventReason: string,
    eventMessage: string,
  ): void {
    if (rec.waiting?.reason !== reason || rec.waiting.message !== message) {
      this.log.warn({ container: rec.spec.name, reason, message }, 'container cannot start yet');
      this.deps.recorder?.event(this.pod, 'Warning', eventReason, eventMessage);
    }
    rec.waiting = { reason, message };
    const retry = Math.max(
      this.deps.backoff.baseMs,
      Math.min(this.deps.backoff.maxMs, (rec.nextBackoffMs || 0) * 2),
    );
    rec.nextBackoffMs = retry;
    rec.notBefore = Date.now() + retry;
    this.after(retry, () => this.kick());
  }

  /** Where the pod's containers work: its confined directory, or one of the kubelet's when it has volumes. */
  private workingDir(sandbox: PreparedSandbox): string | undefined {
    if (sandbox.workingDir) return sandbox.workingDir;
    return this.pod.spec.volumes?.length ? join(this.podDir(), 'work') : undefined;
  }

  /** Sets up the pod's volumes (again: files follow their ConfigMaps and Secrets) and keeps them fresh. */
  private async setUpVolumes(sandbox: PreparedSandbox): Promise<Map<string, string>> {
    if (!this.pod.spec.volumes?.length) return new Map();
    const root = sandbox.volumesDir ?? join(this.podDir(), 'volumes');
    const owner = sandbox.confinement;
    this.volumePaths = await this.deps.volumes.setUp(
      this.pod,
      root,
      owner ? { uid: owner.uid, gid: owner.gid } : undefined,
    );
    if (!this.volumeRefresh) {
      this.volumeRefresh = setInterval(() => {
        if (this.done || this.terminating) return;
        this.deps.volumes
          .setUp(this.pod, root, owner ? { uid: owner.uid, gid: owner.gid } : undefined)
          .catch((e: Error) => this.log.warn({ err: e.message }, 'volume refresh failed; files kept'));
      }, this.deps.volumeRefreshMs);
      this.volumeRefresh.unref();
    }
    return this.volumePaths;
  }

  /**
   * The container's volumeMounts, as bind mounts of its own (confined), or, for a pod that is not
   * confined, as links in the pod's working directory, where only relative mount paths can go.
   */
  private async mountsOf(
    spec: Container,
    volumes: Map<string, string>,
    sandbox: PreparedSandbox,
  ): Promise<BindMount[]> {
    const mounts: BindMount[] = [];
    const workDir = this.workingDir(sandbox);
    for (const m of spec.volumeMounts ?? []) {
      const volume = this.pod.spec.volumes?.find((v) => v.name === m.name);
      const root = volumes.get(m.name);
      if (!volume || !root) continue;
      const source = m.subPath ? join(root, m.subPath) : root;
      if (m.subPath && volume.emptyDir && !(await lstat(source).catch(() => undefined))) {
        await mkdir(source, { recursive: true, mode: 0o777 });
      }
      const sourceIsDir = (await lstat(source).catch(() => undefined))?.isDirectory() ?? true;
      if (!sandbox.confinement) {
        if (isAbsolute(m.mountPath)) {
          throw new ContainerConfigError(
            `volume mount at ${m.mountPath}: this kubelet does not confine pods (no --pod-uid-range), so it cannot mount volumes at absolute paths; give a relative mountPath (found in the pod's working directory)`,
          );
        }
        await linkAt(join(workDir!, m.mountPath), source);
        continue;
      }
      const target = isAbsolute(m.mountPath) ? normalize(m.mountPath) : join(workDir!, m.mountPath);
      if (sourceIsDir) await mkdir(target, { recursive: true });
      else {
        await mkdir(dirname(target), { recursive: true });
        if (!(await lstat(target).catch(() => undefined))) await writeFile(target, '', { flag: 'a' });
      }
      const fileVolume = !volume.emptyDir;
      mounts.push({ source, target, readOnly: Boolean(m.readOnly) || fileVolume });
    }
    return mounts;
  }

  /**
   * What the container runs and where: its own command, or its image's entry point (with its
   * args after either). A container with a command runs whatever image it names; it still
   * starts in the image's folder when the image is one the kubelet knows.
   */
  private resolveProgram(
    rec: ContainerRecord,
  ): { command: string; args: string[]; workingDir?: string } | undefined {
    const { spec } = rec;
    const resolved = this.deps.resolveImage(spec.image);
    if (spec.command?.length) {
      const [cmd, ...rest] = spec.command;
      rec.imageId = spec.image ? `process://${spec.image}` : '';
      return {
        command: cmd === 'node' ? process.execPath : cmd!,
        args: [...rest, ...(spec.args ?? [])],
        ...('entrypoint' in resolved && resolved.workingDir ? { workingDir: resolved.workingDir } : {}),
      };
    }
    if ('entrypoint' in resolved) {
      rec.imageId = resolved.imageId;
      const [command, ...rest] = resolved.entrypoint;
      return {
        command: command!,
        args: [...rest, ...(spec.args ?? [])],
        ...(resolved.workingDir ? { workingDir: resolved.workingDir } : {}),
      };
    }
    if (rec.waiting?.reason !== resolved.reason) {
      this.log.warn({ container: spec.name, image: spec.image, reason: resolved.reason }, resolved.message);
      this.deps.recorder?.event(
        this.pod,
        'Warning',
        'Failed',
        `Failed to pull image "${spec.image}": ${resolved.message}`,
      );
    }
    rec.waiting = { reason: resolved.reason, message: resolved.message };
    // The image may appear later (a workloads dir filled after start): look again after a back-off.
    const retry = Math.max(
      this.deps.backoff.baseMs,
      Math.min(this.deps.backoff.maxMs, (rec.nextBackoffMs || 0) * 2),
    );
    rec.nextBackoffMs = retry;
    rec.notBefore = Date.now() + retry;
    this.after(retry, () => this.kick());
    return undefined;
  }

  private async allocatePorts(spec: Container): Promise<PortMapping[]> {
    const previous = this.pod.status?.portMappings ?? [];
    const mappings: PortMapping[] = [];
    for (const port of spec.ports ?? []) {
      const before = previous.find(
        (m) => m.containerName === spec.name && m.containerPort === port.containerPort,
      )?.hostPort;
      const hostPort = await this.deps.ports.allocate(port.hostPort ?? before);
      mappings.push({
        containerName: spec.name,
        ...(port.name ? { name: port.name } : {}),
        containerPort: port.containerPort,
        hostPort,
        protocol: port.protocol ?? 'TCP',
      });
    }
    return mappings;
  }

  private releasePorts(): void {
    for (const rec of this.records.values()) {
      for (const m of rec.ports ?? []) this.deps.ports.release(m.hostPort);
    }
  }

  /** The pod's sandbox, when the kubelet confines pods; a sandbox that cannot be made fails the start. */
  private async prepareSandbox(): Promise<PreparedSandbox> {
    if (!this.deps.sandboxes) return { env: {} };
    try {
      return await this.deps.sandboxes.prepare(this.pod);
    } catch (e) {
      throw new ContainerStartError(`cannot set up the pod's sandbox: ${(e as Error).message}`);
    }
  }

  private async containerEnv(
    rec: ContainerRecord,
    sandbox: PreparedSandbox,
  ): Promise<Record<string, string>> {
    const base: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOSTNAME: this.pod.spec.hostname ?? this.name,
      ...sandbox.env,
      ...this.deps.serviceEnv(this.namespace),
    };
    const { env, skipped } = await containerEnv(this.pod, rec.spec, base, this.deps.sources, this.deps.node);
    if (skipped.length) {
      this.deps.recorder?.event(
        this.pod,
        'Warning',
        'InvalidEnvironmentVariableNames',
        `Keys [${skipped.join(', ')}] from the EnvFrom were skipped since they are invalid environment variable names.`,
      );
    }
    Object.assign(env, {
      POD_NAME: this.name,
      POD_NAMESPACE: this.namespace,
      NODE_NAME: this.deps.nodeName,
      POD_IP: this.deps.nodeIp,
    });
    const ports = rec.ports ?? [];
    if (ports[0]) env.PORT = String(ports[0].hostPort);
    for (const m of ports) if (m.name) env[`PORT_${envName(m.name)}`] = String(m.hostPort);
    return env;
  }

  private startProbes(
    rec: ContainerRecord,
    env: Record<string, string>,
    sandbox: PreparedSandbox,
    workingDir: string | undefined,
  ): void {
    const instance = rec.current!;
    const { livenessProbe, readinessProbe, startupProbe } = rec.spec;
    const ports = rec.ports ?? [];
    const probes = new ContainerProbes(
      { liveness: livenessProbe, readiness: readinessProbe, startup: startupProbe },
      {
        host: this.deps.nodeIp,
        env,
        cwd: workingDir ?? this.workingDir(sandbox),
        ...(sandbox.confinement ? { user: sandbox.confinement, mountNamespacePid: instance.pid } : {}),
        resolvePort: (port) => {
          const byName = typeof port === 'string' && !/^\d+$/.test(port);
          if (byName) return ports.find((m) => m.name === port)?.hostPort;
          const n = Number(port);
          return ports.find((m) => m.containerPort === n)?.hostPort ?? n;
        },
      },
      {
        started: () => {
          if (rec.current?.id !== instance.id) return;
          rec.started = true;
          this.kick();
        },
        readiness: (ready) => {
          if (rec.current?.id !== instance.id) return;
          rec.ready = ready;
          this.kick();
        },
        unhealthy: (kind, message) => {
          if (rec.current?.id !== instance.id || this.terminating) return;
          const what = kind === 'liveness' ? 'Liveness' : 'Startup';
          this.log.info({ container: rec.spec.name, kind, message }, 'container unhealthy; restarting');
          this.deps.recorder?.event(this.pod, 'Warning', 'Unhealthy', `${what} probe failed: ${message}`);
          this.deps.recorder?.event(
            this.pod,
            'Normal',
            'Killing',
            `Container ${rec.spec.name} failed ${kind} probe, will be restarted`,
          );
          rec.killedByKubelet = kind;
          rec.ready = false;
          this.kick();
          void this.deps.runtime.stop(
            instance.id,
            this.graceMs(kind === 'liveness' ? livenessProbe : startupProbe),
          );
        },
        result: (kind, outcome) => this.deps.metrics.probeResult(kind, outcome),
      },
    );
    rec.probes = probes;
    probes.start();
  }

  private graceMs(probe?: { terminationGracePeriodSeconds?: number }): number {
    return (probe?.terminationGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  /** Graceful deletion: SIGTERM, SIGKILL after the grace period, then the pod object goes. */
  private async terminate(): Promise<void> {
    this.clearTimers();
    const meta = this.pod.metadata;
    const graceSeconds = meta.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    this.terminationGraceSeconds = graceSeconds;
    for (const rec of this.records.values()) {
      rec.probes?.stop();
      rec.ready = false;
    }
    const running = [...this.records.values()].filter((r) => r.current);
    if (running.length) {
      this.log.info({ graceSeconds, removed: this.removed }, 'stopping pod');
      for (const rec of running)
        this.deps.recorder?.event(this.pod, 'Normal', 'Killing', `Stopping container ${rec.spec.name}`);
    }
    // Containers being started are waited for, so none is left behind.
    while ([...this.records.values()].some((r) => r.starting)) await sleep(systemTimers, 20);
    await Promise.all(
      [...this.records.values()].map((rec) =>
        rec.current ? this.deps.runtime.stop(rec.current.id, graceSeconds * 1000) : undefined,
      ),
    );
    this.releasePorts();
    if (!this.removed) await this.deletePod();
    this.done = true;
    this.clearTimers();
    this.deps.onDone(this.uid);
  }

  private async deletePod(): Promise<void> {
    for (;;) {
      if (this.removed) return;
      try {
        await this.deps.client.delete(PODS, this.namespace, this.name, {
          gracePeriodSeconds: 0,
          preconditions: { uid: this.uid },
        });
        return;
      } catch (e) {
        // NotFound: already gone; Conflict on the uid precondition: a new pod took the name.
        if (isApiError(e, 'NotFound') || isApiError(e, 'Conflict')) return;
        this.log.warn({ err: (e as Error).message }, 'pod deletion failed; retrying');
        await sleep(systemTimers, this.deps.statusRetryMs);
      }
    }
  }

  /** Kubernetes' pod phase from the containers' states. */
  private phase(): NonNullable<PodStatus['phase']> {
    if (this.finalPhase) return this.finalPhase;
    let waiting = 0;
    let running = 0;
    let finished = 0;
    let failed = 0;
    let restarting = 0;
    for (const rec of this.records.values()) {
      if (rec.current) running++;
      else if (rec.terminated) {
        finished++;
        if (rec.terminated.exitCode !== 0) failed++;
      } else if (rec.lastState) restarting++;
      else waiting++;
    }
    if (waiting > 0) return 'Pending';
    if (running > 0 || restarting > 0) return 'Running';
    if (finished > 0) return failed > 0 ? 'Failed' : 'Succeeded';
    return 'Pending';
  }

  private desiredStatus(): PodStatus {
    const now = formatTime(new Date());
    const current = this.pod.status ?? {};
    const phase = this.phase();
    const statuses: ContainerStatus[] = [...this.records.values()].map((rec) => {
      let state: ContainerState;
      if (rec.current) state = { running: { startedAt: formatTime(rec.current.startedAt) } };
      else if (rec.terminated) state = { terminated: rec.terminated };
      else state = { waiting: rec.waiting ?? { reason: 'ContainerCreating' } };
      return {
        name: rec.spec.name,
        state,
        lastState: rec.lastState ? { terminated: rec.lastState } : {},
        ready: rec.ready,
        started: rec.started,
        restartCount: rec.restartCount,
        image: rec.spec.image ?? '',
        imageID: rec.imageId,
        ...(rec.lastContainerId ? { containerID: rec.lastContainerId } : {}),
        ...(rec.user ? { user: { linux: { uid: rec.user.uid, gid: rec.user.gid } } } : {}),
      };
    });
    const unready = [...this.records.values()].filter((r) => !r.ready).map((r) => r.spec.name);
    const finished = phase === 'Succeeded' || phase === 'Failed';
    const readyCondition = (type: string): Condition =>
      finished
        ? { type, status: 'False', reason: 'PodCompleted' }
        : unready.length === 0
          ? { type, status: 'True' }
          : {
              type,
              status: 'False',
              reason: 'ContainersNotReady',
              message: `containers with unready status: [${unready.join(' ')}]`,
            };
    let conditions = current.conditions;
    if (!conditions?.some((c) => c.type === 'PodScheduled'))
      conditions = withCondition(conditions, { type: 'PodScheduled', status: 'True' }, now);
    conditions = withCondition(conditions, { type: 'Initialized', status: 'True' }, now);
    conditions = withCondition(conditions, readyCondition('ContainersReady'), now);
    conditions = withCondition(conditions, readyCondition('Ready'), now);
    const ip = this.deps.nodeIp;
    return {
      phase,
      conditions,
      hostIP: ip,
      hostIPs: [{ ip }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: this.startTime,
      containerStatuses: statuses,
      portMappings: [...this.records.values()].flatMap((r) => r.ports ?? []),
    };
  }

  private async writeStatus(): Promise<void> {
    const desired = this.desiredStatus();
    const current = this.pod.status ?? {};
    const held = Object.fromEntries(Object.keys(desired).map((k) => [k, current[k]]));
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(held)), JSON.parse(JSON.stringify(desired)))) return;
    // Our own write not yet seen by the informer: nothing new to say.
    const cachedRv = Number(this.pod.metadata.resourceVersion ?? 0);
    if (
      this.lastWritten &&
      cachedRv <= this.lastWritten.resourceVersion &&
      isDeepStrictEqual(this.lastWritten.status, desired)
    )
      return;
    try {
      const written = await this.deps.client.patch<Pod>(
        PODS,
        this.namespace,
        this.name,
        { status: desired },
        'merge',
        'status',
      );
      this.lastWritten = { status: desired, resourceVersion: Number(written.metadata.resourceVersion ?? 0) };
    } catch (e) {
      if (isApiError(e, 'NotFound')) return;
      this.log.warn({ err: (e as Error).message }, 'pod status update failed; retrying');
      this.after(this.deps.statusRetryMs, () => this.kick());
    }
  }

  /** The status of a container that ran under an earlier kubelet and died with it. */
  private recordLostContainer(name: string, prev: ContainerStatus): void {
    const rec = this.records.get(name)!;
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    rec.restartCount = prev.restartCount;
    rec.lastState = prev.lastState?.terminated;
    if (prev.state?.running) {
      const lost: Terminated = {
        exitCode: 137,
        reason: 'ContainerStatusUnknown',
        message: 'The container could not be located when the kubelet restarted',
        ...(prev.state.running.startedAt ? { startedAt: prev.state.running.startedAt } : {}),
        finishedAt: formatTime(new Date()),
      };
      if (policy === 'Never') rec.terminated = lost;
      else {
        rec.restartCount++;
        rec.lastState = lost;
      }
    } else if (prev.state?.terminated) {
      const exitCode = prev.state.terminated.exitCode;
      if (policy === 'Never' || (policy === 'OnFailure' && exitCode === 0))
        rec.terminated = prev.state.terminated;
      else {
        rec.restartCount++;
        rec.lastState = prev.state.terminated;
      }
    }
  }

  private podDir(): string {
    return join(this.deps.rootDir, 'pods', `${this.namespace}_${this.name}_${this.uid}`);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.done) fn();
    }, ms);
    this.timers.add(t);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    clearInterval(this.volumeRefresh);
  }
}

/** Kubernetes' environment variable name for a service or port name: upper case, '-' → '_'. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

function signalNumber(exitCode: number): number {
  return exitCode > 128 ? exitCode - 128 : 0;
}

function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
}

/** A link at `path` to `target`, replacing whatever link was there; its folders made as needed. */
async function linkAt(path: string, target: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isSymbolicLink() && (await readlink(path)) === target) return;
  if (existing) await rm(path, { recursive: true, force: true });
  await mkdir(dirname(path), { recursive: true });
  await symlink(target, path);
}
