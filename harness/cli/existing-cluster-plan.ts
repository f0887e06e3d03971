import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeconfigProvider } from '../cluster/index.js';
import { workloadNamespace } from '../experiment/index.js';
import type { Scenario } from '../scenario/index.js';

/** Faults that act on Nodes (the rest act on objects of the run's own namespaces). */
const NODE_FAULTS = new Set([
  'node-loss',
  'node-pause',
  'node-partition',
  'node-drain',
  'node-taint',
  'network-partition',
  'packet-loss',
]);

/**
 * What a run of `scenario` would touch on an existing cluster, for `crucible run --dry-run
 * --provider kubeconfig`: the namespaces it would create, the tenants' identities, every object
 * of its manifests, the Nodes its faults may act on, and what crashed runs left that it would
 * remove. Nothing is changed to find it out: the cluster is only read.
 */
export async function existingClusterPlan(
  scenario: Scenario,
  provider: KubeconfigProvider,
  leftovers: readonly string[],
): Promise<string> {
  const { context, server } = provider.context;
  const lines = [
    `  on context ${context} (${server}), it would:`,
    `    create namespaces ${[...scenario.namespaces, ...scenario.tenants.flatMap((t) => t.namespaces), 'crucible-<run>'].join(', ')}, labelled crucible.dev/run=<run>, and remove them at the end`,
    ...scenario.tenants.map(
      (t) =>
        `    tenant ${t.name}: create ServiceAccount ${t.namespaces[0]}/${t.name}, RoleBindings tenant-${t.name}-edit to edit in ${t.namespaces.join(', ')}, and request a token for it`,
    ),
  ];
  for (const workload of scenario.workloads) {
    const namespace =
      scenario.tenants.find((t) => t.name === workload.tenant)?.namespaces[0] ??
      scenario.namespaces[0] ??
      'default';
    for (const file of workload.manifests)
      lines.push(
        `    apply ${relative(process.cwd(), file)} into ${namespace}: ${(await objectsOf(file)).join(', ')}`,
      );
  }
  for (const fault of scenario.faults) {
    const on = NODE_FAULTS.has(fault.type)
      ? `Nodes ${fault.target} of ${provider.workerNames.join(', ')}`
      : typeof fault.options.namespace === 'string'
        ? `${fault.target} of namespace ${fault.options.namespace}`
        : fault.target;
    lines.push(`    fault ${fault.id} (${fault.type}): act on ${on}, then heal it`);
  }
  lines.push(
    leftovers.length
      ? `    first remove what crashed runs left: namespaces ${leftovers.join(', ')}`
      : '    find nothing left by crashed runs to remove',
  );
  return `${lines.join('\n')}\n`;
}

/** Kind/name of every object of a manifest file. */
async function objectsOf(file: string): Promise<string[]> {
  return parseAllDocuments(await readFile(file, 'utf8'))
    .map((d) => d.toJSON() as { kind?: string; metadata?: { name?: string } } | null)
    .filter((o) => o !== null)
    .map((o) => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`);
}
