import { ClusterError } from './cluster-error.js';
import type { ClusterRecord } from './cluster-record.js';
import { iptables, removeRules } from './iptables-rules.js';
import type { DropRule, PacketFilter } from './running-cluster.js';

/**
 * Partitions and packet loss as DROP rules inside a container's network namespace (netem is not
 * in this kernel). Every rule carries the comment `crucible:<cluster>`, which is how `clear` finds
 * all of them again.
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
      await iptables(
        ['-I', r.chain, ...r.match, '-m', 'comment', '--comment', this.comment, '-j', 'DROP'],
        pid,
      );
  }

  async clear(node: string): Promise<number> {
    const pid = await this.namespacePid(node);
    return pid === undefined ? 0 : removeRules(this.comment, pid);
  }
}
