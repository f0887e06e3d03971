import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A rule in iptables' own words: the chain, then its match and target arguments. */
export type FirewallRule = [chain: 'INPUT' | 'OUTPUT', ...args: string[]];

/**
 * iptables rules crucible adds, on the host or inside a container's network namespace (entered
 * from the host with nsenter: the node image has no iptables). Every rule carries a comment naming
 * what added it, which is how it is found and removed again, whatever process comes later.
 */
/** Runs iptables, in the network namespace of `pid` when given (nsenter), else the host's. */
export async function iptables(args: string[], pid?: number): Promise<string> {
  // -w: wait for the xtables lock rather than fail while Docker (or another run) changes rules.
  const [file, argv] =
    pid === undefined
      ? ['iptables', ['-w', ...args]]
      : ['nsenter', ['-t', String(pid), '-n', 'iptables', '-w', ...args]];
  const { stdout } = await run(file, argv);
  return stdout;
}

/** Appends the rules (after removing any earlier ones with the same comment, so applying twice is applying once). */
export async function applyRules(rules: FirewallRule[], comment: string, pid?: number): Promise<void> {
  await removeRules(comment, pid);
  for (const [chain, ...args] of rules) await iptables(['-A', chain, ...args], pid);
}

/** Removes every rule whose comment is `comment` (or starts with it, ending in `*`); how many. */
export async function removeRules(comment: string, pid?: number): Promise<number> {
  const saved =
    pid === undefined
      ? (await run('iptables-save', [])).stdout
      : (await run('nsenter', ['-t', String(pid), '-n', 'iptables-save'])).stdout;
  const matches = (rule: string) =>
    comment.endsWith('*')
      ? new RegExp(`--comment "?${escape(comment.slice(0, -1))}`).test(rule)
      : new RegExp(`--comment "?${escape(comment)}"?( |$)`).test(rule);
  const ours = saved.split('\n').filter((l) => l.startsWith('-A ') && matches(l));
  for (const line of ours) {
    // iptables-save prints a rule as its -A command line; the same line with -D deletes it.
    const args = line
      .slice(3)
      .match(/"[^"]*"|\S+/g)!
      .map((a) => a.replace(/^"|"$/g, ''));
    await iptables(['-D', ...args], pid);
  }
  return ours.length;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
