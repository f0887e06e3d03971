import { readFileSync } from 'node:fs';

/** A process as the machine knows it: a pid is reused, a pid with its start time on one boot is not. */
export interface ProcessIdentity {
  pid: number;
  bootId: string;
  /** Clock ticks since boot when it started (field 22 of /proc/<pid>/stat). */
  startTime: string;
}

let boot: string | undefined;

/** This boot of the machine: a pid of an earlier boot names nobody. */
export function bootId(): string {
  boot ??= (() => {
    try {
      return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      return 'unknown';
    }
  })();
  return boot;
}

/**
 * The fields of /proc/<pid>/stat from the third (the state) on, or undefined when there is no such
 * process. The command name (field 2) may hold spaces and parentheses: fields count from its last ')'.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** When the process started (field 22), or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/**
 * Whether a process with this pid exists and has not exited (signal 0 probes without
 * signalling; a zombie, dead and waiting for its parent to collect it, counts as gone).
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // No /proc (or the process went between the two looks): the signal's answer stands.
  return statFields(pid)?.[0] !== 'Z';
}

/** This process. */
export function thisProcess(): ProcessIdentity {
  return { pid: process.pid, bootId: bootId(), startTime: processStartTime(process.pid) ?? '' };
}

/** Whether that very process still runs: same boot, same pid, same start (not a later one given its pid). */
export function stillRunning(owner: ProcessIdentity): boolean {
  if (owner.bootId !== bootId() || !isProcessAlive(owner.pid)) return false;
  const started = processStartTime(owner.pid);
  return started === undefined || started === owner.startTime;
}
