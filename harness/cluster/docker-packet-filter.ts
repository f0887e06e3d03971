import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ClusterError } from './cluster-error.js';
import type { ClusterRecord } from './cluster-record.js';
import type { DropRule, PacketFilter } from './running-cluster.js';

const run = promisify(execFile);

/**
 * iptables rules inside a container's network namespace, entered from the host with nsenter (the
 * node image has no iptables; netem is not in this kernel, so loss and partitions are DROP rules).
 * Every rule carries the comment `crucible:<cluster>`, which is how `clear` finds all of them again.
 */
export class DockerPacketFilter implements PacketFilter {
  constructor(
    private readonly record: ClusterRecord,
    /** The pid whose network namespace is the node's; undefined when the node is not running. */
    private readonly namespacePid: (node: string) => Promise<number | undefined>,
  ) {}

  private get comment(): string {
    return `crucible:${this.record.name}`;
  }

  async drop(node: string, rules: DropRule[]): Promise<void> {
    const pid = await this.namespacePid(node);
    if (pid === undefined)
      throw new ClusterError(
        'NodeNotRunning',
        `${node} is not running: no network namespace to add rules to`,
      );
    const matches = rules.flatMap((rule): { chain: 'INPUT' | 'OUTPUT'; match: string[] }[] => {
      if ('incomingShare' in rule)
        return [
          {
            chain: 'INPUT',
            match: ['-m', 'statistic', '--mode', 'random', '--probability', String(rule.incomingShare)],
          },
        ];
      const ip = this.record.handles[rule.peer]?.ip;
      if (!ip) throw new ClusterError('NodeNotFound', `no address known for node "${rule.peer}"`);
      return [
        { chain: 'INPUT', match: ['-s', ip] },
        { chain: 'OUTPUT', match: ['-d', ip] },
      ];
    });
    for (const r of matches)
      await iptables(pid, [
        '-I',
        r.chain,
        ...r.match,
        '-m',
        'comment',
        '--comment',
        this.comment,
        '-j',
        'DROP',
      ]);
  }

  async clear(node: string): Promise<number> {
    const pid = await this.namespacePid(node);
    if (pid === undefined) return 0;
    const { stdout } = await run('nsenter', ['-t', String(pid), '-n', 'iptables-save']);
    const ours = stdout.split('\n').filter((l) => l.startsWith('-A ') && l.includes(this.comment));
    for (const line of ours) {
      // iptables-save prints a rule as its -A command line; the same line with -D deletes it.
      const args = line
        .slice(3)
        .match(/"[^"]*"|\S+/g)!
        .map((a) => a.replace(/^"|"$/g, ''));
      await iptables(pid, ['-D', ...args]);
    }
    return ours.length;
  }
}

async function iptables(pid: number, args: string[]): Promise<string> {
  const { stdout } = await run('nsenter', ['-t', String(pid), '-n', 'iptables', ...args]);
  return stdout;
}
