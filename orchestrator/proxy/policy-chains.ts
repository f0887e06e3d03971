import { spawn } from 'node:child_process';
import type { PolicyChainNames } from '../api/network-policy-chains.js';

/** Runs a program with `input` on its stdin; rejects with its stderr when it fails. */
export type ProgramRunner = (file: string, args: string[], input?: string) => Promise<void>;

/**
 * A node's NetworkPolicy chains in its network namespace: `apply` replaces their rules in one
 * iptables-restore and one ip6tables-restore (`--noflush`: nothing else of the tables is touched) and makes sure OUTPUT jumps
 * into them for the node's pods only (their user ids), first, so the policy is judged before the
 * pod firewall's rules. Nothing here removes them: they outlive kube-proxy, and go with the node.
 */
export class PolicyChains {
  private jumpsInstalled = false;

  constructor(
    private readonly names: PolicyChainNames,
    /** The node's pods' user ids, `first-last`. */
    private readonly podUids: string,
    private readonly runner: ProgramRunner = runProgram,
  ) {}

  async apply(rules: { ipv4: string; ipv6: string }): Promise<void> {
    await this.runner('iptables-restore', ['-w', '--noflush'], rules.ipv4);
    await this.runner('ip6tables-restore', ['-w', '--noflush'], rules.ipv6);
    if (this.jumpsInstalled) return;
    for (const [program, table, chain] of this.jumps()) {
      const jump = this.jump(chain);
      // -C: already there (a restarted kube-proxy): do not add a second one.
      const present = await this.runner(program, ['-w', '-t', table, '-C', 'OUTPUT', ...jump]).then(
        () => true,
        () => false,
      );
      if (!present) await this.runner(program, ['-w', '-t', table, '-I', 'OUTPUT', '1', ...jump]);
    }
    this.jumpsInstalled = true;
  }

  private jumps(): [program: 'iptables' | 'ip6tables', table: string, chain: string][] {
    return [
      ['iptables', 'filter', this.names.filter],
      ['iptables', 'nat', this.names.nat],
      ['ip6tables', 'filter', this.names.filter],
    ];
  }

  private jump(chain: string): string[] {
    return [
      '-m',
      'owner',
      '--uid-owner',
      this.podUids,
      '-m',
      'comment',
      '--comment',
      this.names.comment,
      '-j',
      chain,
    ];
  }
}

export function runProgram(file: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    // A program that exits before reading its input (or never started): its exit says why.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || `exit ${code}`}`)),
    );
    child.stdin.end(input ?? '');
  });
}
