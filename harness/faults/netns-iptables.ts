import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ClusterState } from '../cluster/cluster-state.js';
import { dockerClient } from '../cluster/docker-engine.js';

const run = promisify(execFile);

/**
 * iptables rules inside a container's network namespace, entered from the host with nsenter (the
 * node image has no iptables; netem is not in this kernel, so loss and partitions are DROP rules).
 * Every rule carries the comment `crucible:<cluster>`, which is how heal finds all of them again.
 */
export function ruleComment(state: ClusterState): string {
  return `crucible:${state.name}`;
}

export function requireDocker(state: ClusterState, fault: string): void {
  if (state.provider !== 'docker')
    throw new Error(
      `${fault} needs the docker provider (iptables in each container's network namespace); this cluster runs on ${state.provider}`,
    );
}

/** The pid of the container's first process, whose network namespace is the container's. */
async function namespacePid(state: ClusterState, node: string): Promise<number | undefined> {
  const id = state.handles[node]?.containerId;
  if (!id) return undefined;
  const info = await (await dockerClient()).getContainer(id).inspect();
  return info.State.Running ? info.State.Pid : undefined;
}

async function iptables(pid: number, args: string[]): Promise<string> {
  const { stdout } = await run('nsenter', ['-t', String(pid), '-n', 'iptables', ...args]);
  return stdout;
}

/** Inserts DROP rules in `node`'s namespace: `matches` are the rule's match arguments per chain. */
export async function addDropRules(
  state: ClusterState,
  node: string,
  rules: { chain: 'INPUT' | 'OUTPUT'; match: string[] }[],
): Promise<void> {
  const pid = await namespacePid(state, node);
  if (pid === undefined) throw new Error(`${node} is not running: no network namespace to add rules to`);
  for (const r of rules)
    await iptables(pid, [
      '-I',
      r.chain,
      ...r.match,
      '-m',
      'comment',
      '--comment',
      ruleComment(state),
      '-j',
      'DROP',
    ]);
}

/** Removes every rule of this cluster from `node`'s namespace; a stopped node has none left. Returns how many. */
export async function removeCrucibleRules(state: ClusterState, node: string): Promise<number> {
  const pid = await namespacePid(state, node);
  if (pid === undefined) return 0;
  const { stdout } = await run('nsenter', ['-t', String(pid), '-n', 'iptables-save']);
  const ours = stdout.split('\n').filter((l) => l.startsWith('-A ') && l.includes(ruleComment(state)));
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
