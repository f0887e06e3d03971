import { readFileSync, readdirSync } from 'node:fs';

/** One process of a container's group, as /proc shows it at one moment. */
export interface ProcessSample {
  pid: number;
  /**
   * Field 22 of /proc/<pid>/stat (clock ticks after boot): with the pid, it names this process and
   * no later one given a recycled pid.
   */
  startTicks: string;
  /** CPU time used so far, user and system (utime + stime), in clock ticks. */
  cpuTicks: number;
  /** Resident memory now (VmRSS); 0 for a zombie. */
  rssBytes: number;
}

/**
 * The processes of each of the given process groups, by group id, read from /proc: the group's
 * leader (whose pid is the group id: the container shim) and its descendants that are still in
 * the group, found through each thread's `children`. Walking the tree reads a few files per
 * container; a scan of every pid on the machine, many kubelets each second, would cost far more.
 * What it cannot see: a process that left the group (setsid) and one whose parent died before it,
 * which the kernel hands to init and so out of the tree (a daemon's double fork). A group whose
 * leader is gone is missing from the answer.
 */
export function readProcessGroups(pgids: ReadonlySet<number>): Map<number, ProcessSample[]> {
  const groups = new Map<number, ProcessSample[]>();
  for (const pgid of pgids) {
    const members: ProcessSample[] = [];
    collect(pgid, pgid, members, new Set());
    if (members.length) groups.set(pgid, members);
  }
  return groups;
}

function collect(pid: number, pgid: number, members: ProcessSample[], seen: Set<number>): void {
  if (seen.has(pid)) return;
  seen.add(pid);
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  if (!stat) return;
  // The command name (field 2) may hold spaces and parentheses; count fields from its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (Number(fields[2]) !== pgid) return;
  members.push({
    pid,
    startTicks: fields[19] ?? '',
    cpuTicks: Number(fields[11] ?? 0) + Number(fields[12] ?? 0),
    rssBytes: residentBytes(pid),
  });
  for (const child of childrenOf(pid)) collect(child, pgid, members, seen);
}

/** The children of every thread of `pid` (a child belongs to the thread that forked it). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const tid of safeReaddir(`/proc/${pid}/task`)) {
    for (const child of readOrEmpty(`/proc/${pid}/task/${tid}/children`).split(' ')) {
      if (child) children.push(Number(child));
    }
  }
  return children;
}

/** VmRSS of /proc/<pid>/status, which is in kB whatever the page size. */
function residentBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+)/m.exec(readOrEmpty(`/proc/${pid}/status`))?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

/** A process may end between two reads: it is then simply not there. */
function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
