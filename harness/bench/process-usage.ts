import { readFile } from 'node:fs/promises';

/** What a process has used so far, from /proc (Linux). */
export interface ProcessUsage {
  /** Resident memory now, and at its peak (VmHWM), in MiB. */
  rssMiB: number;
  peakRssMiB: number;
  /** CPU time, user and system, in seconds. */
  cpuSeconds: number;
}

/** Clock ticks per second of /proc/<pid>/stat's times: USER_HZ, 100 on every Linux this runs on. */
const USER_HZ = 100;

/** The process's usage, or zeros when it is gone (or /proc is not there). */
export async function processUsage(pid: number | undefined): Promise<ProcessUsage> {
  if (pid === undefined) return { rssMiB: 0, peakRssMiB: 0, cpuSeconds: 0 };
  const [status, stat] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''),
    readFile(`/proc/${pid}/stat`, 'latin1').catch(() => ''),
  ]);
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  // Fields after the command name (which may hold spaces and parentheses): utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024, cpuSeconds: ticks / USER_HZ };
}
