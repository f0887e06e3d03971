import { type ClusterRecord, nodeNames } from '../cluster/index.js';
import { FaultError } from './fault-error.js';

/**
 * Resolves a target expression against `candidates` (the nodes, members or links a fault can act
 * on), drawing any random choice from `random`:
 * - a candidate's name, or several comma-separated;
 * - `random`: one, chosen at random;
 * - `one`, `minority`, `majority`, `all`: that many, chosen at random (minority = less than half,
 *   at least one; majority = more than half).
 * Candidates are sorted first, so the same seed picks the same targets whatever order they came in.
 */
export function selectTargets(
  expression: string,
  candidates: string[],
  random: () => number,
  what: string,
): string[] {
  const pool = [...candidates].sort();
  if (pool.length === 0) throw new FaultError('NoSuchTarget', `no ${what} to choose from`);
  const pick = (count: number) => shuffle(pool, random).slice(0, count).sort();
  switch (expression) {
    case 'random':
    case 'one':
      return pick(1);
    case 'minority':
      return pick(Math.max(1, Math.ceil(pool.length / 2) - 1));
    case 'majority':
      return pick(Math.floor(pool.length / 2) + 1);
    case 'all':
      return pool;
  }
  const names = expression.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !pool.includes(n));
  if (unknown.length)
    throw new FaultError(
      'NoSuchTarget',
      `target ${unknown.map((u) => `"${u}"`).join(', ')} is not one of the ${what}: ${pool.join(', ')} (or random, one, minority, majority, all)`,
    );
  return names;
}

/** Fisher–Yates with the given random source. */
function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** The nodes of a role: worker, etcd, apiserver, scheduler, controller-manager. The workers are the record's, whatever their names. */
export function nodesOfRole(record: ClusterRecord, role: string): string[] {
  if (role === 'worker') return record.workers.map((w) => w.name);
  const roleOfNode = (node: string) => node.replace(/-\d+$/, '');
  return nodeNames(record).filter((n) => roleOfNode(n) === role);
}
