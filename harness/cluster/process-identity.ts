import { readFileSync } from 'node:fs';
import { isProcessAlive } from './process-reaper.js';

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

/** When the process started, or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
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
