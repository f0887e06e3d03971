import type { Confinement } from './container-shim.js';

/**
 * The kubelet's small CRI: what it needs of whatever runs containers. The process runtime
 * (process-runtime.ts) is the one implementation; the pod workers only see this interface.
 */

/** Everything needed to start one container instance. */
export interface ContainerConfig {
  podUid: string;
  namespace: string;
  podName: string;
  containerName: string;
  /** The program to run and its arguments (already resolved from image, command and args). */
  command: string;
  args: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** The file stdout and stderr are appended to. */
  logPath: string;
  /** Run as this user, with these secrets at /var/run/secrets; absent: as the kubelet's own user. */
  confinement?: Confinement;
}

/** One container instance as the runtime knows it. */
export interface ContainerInfo {
  /** Unique per instance: a restart is a new id. */
  id: string;
  podUid: string;
  namespace: string;
  podName: string;
  containerName: string;
  /** The process id of the container's program. */
  pid: number;
  startedAt: Date;
  state: 'running' | 'exited';
  /** Set once exited; a death by signal N is reported as 128 + N, as container runtimes do. */
  exitCode?: number;
  signal?: string;
  finishedAt?: Date;
  logPath: string;
}

/** The container could not be started at all (as opposed to started and then exiting). */
export class ContainerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerStartError';
  }
}

/**
 * Starts, stops and lists containers. `start` resolves once the program runs, or rejects with
 * ContainerStartError; every started container's exit is reported exactly once to the exit
 * listeners, whoever caused it.
 */
export interface ContainerRuntime {
  start(config: ContainerConfig): Promise<ContainerInfo>;
  /**
   * Asks the container to stop (SIGTERM to its whole process group), kills it (SIGKILL) after
   * `graceMs`; resolves once it has exited. Unknown or exited ids resolve at once.
   */
  stop(id: string, graceMs: number): Promise<void>;
  /** Every container started and not yet forgotten, running or exited. */
  list(): ContainerInfo[];
  status(id: string): ContainerInfo | undefined;
  /** The last `tailLines` lines (all when undefined) of a container's log file, '' if none. */
  logs(logPath: string, tailLines?: number): Promise<string>;
  /** Registers a listener told of each container's exit. */
  onExit(listener: (info: ContainerInfo) => void): void;
  /** Drops an exited container from `list()`. */
  forget(id: string): void;
}
