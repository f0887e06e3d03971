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
    await iptables(['-D', ...ruleArgs(line)], pid);
  }
  return ours.length;
}

/**
 * Removes every chain whose name starts with one of `prefixes` — in iptables' filter and nat tables
 * and ip6tables' filter table — with the rules of other chains that jump into them; how many chains.
 */
export async function removeChains(prefixes: string[], pid?: number): Promise<number> {
  const inNamespace = (file: string, args: string[]) =>
    pid === undefined ? run(file, args) : run('nsenter', ['-t', String(pid), '-n', file, ...args]);
  const ours = (name: string) => prefixes.some((p) => name.startsWith(p));
  let removed = 0;
  for (const [program, table] of [
    ['iptables', 'filter'],
    ['iptables', 'nat'],
    ['ip6tables', 'filter'],
  ] as const) {
    const saved = (await inNamespace(`${program}-save`, ['-t', table])).stdout.split('\n');
    const change = (args: string[]) => inNamespace(program, ['-w', '-t', table, ...args]);
    for (const line of saved) {
      const target = / -j (\S+)/.exec(line)?.[1];
      if (line.startsWith('-A ') && target && ours(target) && !ours(line.split(' ')[1]!))
        await change(['-D', ...ruleArgs(line)]);
    }
    for (const chain of saved
      .filter((l) => l.startsWith(':') && ours(l.slice(1)))
      .map((l) => l.slice(1).split(' ')[0]!)) {
      await change(['-F', chain]);
      await change(['-X', chain]);
      removed++;
    }
  }
  return removed;
}

/** iptables-save prints a rule as its -A command line: its arguments, for the same rule's -D. */
function ruleArgs(line: string): string[] {
  return line
    .slice(3)
    .match(/"[^"]*"|\S+/g)!
    .map((a) => a.replace(/^"|"$/g, ''));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
