import { parseAllDocuments } from 'yaml';
import type { ClusterProvider } from '../cluster/index.js';
import { FEATURE_WORDS } from '../cluster/index.js';
import { faultOfType } from '../faults/index.js';
import type { KubectlStep, Scenario } from '../scenario/index.js';
import { runNamespaces } from './tenant-setup.js';
import { workloadNamespace } from './workloads.js';

/** kubectl verbs that change objects; the others only read. */
const MUTATING_VERBS = new Set([
  'annotate',
  'apply',
  'autoscale',
  'create',
  'delete',
  'edit',
  'expose',
  'label',
  'patch',
  'replace',
  'rollout',
  'run',
  'scale',
  'set',
]);
/** kubectl verbs that change Nodes: on a cluster not crucible's own, Nodes change only through faults. */
const NODE_VERBS = new Set(['cordon', 'uncordon', 'drain', 'taint']);
/** rollout's subcommands that only read. */
const ROLLOUT_READS = new Set(['status', 'history']);

/**
 * Why `scenario` cannot run on the clusters of `provider`, each reason in words (none: it can):
 * what its cluster spec asks that the provider cannot give, the faults whose needs the cluster
 * lacks, and — on a cluster that is not the run's own — every place the scenario would touch a
 * namespace it did not create, or change a Node other than through a fault.
 */
export function unmetNeeds(scenario: Scenario, provider: ClusterProvider): string[] {
  const reasons = [...provider.unmetNeeds(scenario.cluster)];
  for (const fault of scenario.faults) {
    const lacking = faultOfType(fault.type)
      .needs(fault.options as never)
      .filter((need) => !provider.features.has(need));
    for (const need of lacking)
      reasons.push(`fault ${fault.id} (${fault.type}) needs ${FEATURE_WORDS[need]}`);
  }
  if (!provider.features.has('own-cluster')) reasons.push(...foreignNamespaces(scenario));
  return reasons;
}

/** Where the scenario would act outside the namespaces its run creates (the `run` part of names is irrelevant here). */
function foreignNamespaces(scenario: Scenario): string[] {
  const own = new Set(runNamespaces(scenario, scenario.name));
  const reasons: string[] = [];
  const outside = (namespace: string, what: string) => {
    if (!own.has(namespace))
      reasons.push(
        `${what} is in namespace ${namespace}, which the run does not create (declare it under namespaces:)`,
      );
  };
  for (const w of scenario.workloads) outside(workloadNamespace(scenario, w.tenant), 'a workload');
  for (const l of scenario.loads) outside(namespaceOf(l.service), `load ${l.name}'s Service`);
  for (const s of scenario.steadyState.servicesAnswering) outside(namespaceOf(s), `Service ${s}`);
  for (const f of scenario.faults)
    if (typeof f.options.namespace === 'string') outside(f.options.namespace, `fault ${f.id}'s target`);
  for (const step of scenario.steps) {
    if (step.kind !== 'kubectl') continue;
    const why = stepOutside(step, own);
    if (why) reasons.push(`step ${step.id} (kubectl ${step.args.slice(0, 3).join(' ')}) ${why}`);
  }
  return reasons;
}

/** Why a kubectl step would change something outside the run's namespaces, if it would. */
function stepOutside(step: KubectlStep, own: ReadonlySet<string>): string | undefined {
  const words = positionalWords(step.args);
  const verb = words[0] ?? '';
  if (NODE_VERBS.has(verb)) return 'changes a Node: on an existing cluster, Nodes change only through faults';
  const mutates = MUTATING_VERBS.has(verb) && !(verb === 'rollout' && ROLLOUT_READS.has(words[1] ?? ''));
  if (!mutates) return undefined;
  if (step.args.some((a) => a === '-A' || a === '--all-namespaces'))
    return 'changes objects in every namespace';
  if (['node', 'nodes', 'no'].includes(words[1] ?? ''))
    return 'changes a Node: on an existing cluster, Nodes change only through faults';
  if (['namespace', 'namespaces', 'ns'].includes(words[1] ?? '')) {
    const names = words.slice(2).filter((n) => !own.has(n));
    return names.length ? `changes namespace ${names.join(', ')}, which the run does not create` : undefined;
  }
  const flag = namespaceFlag(step.args);
  const namespaces = flag === undefined ? stdinNamespaces(step) : [flag];
  if (namespaces.length === 0 || namespaces.includes(undefined))
    return "changes objects without -n: it would act in the context's own namespace";
  const outside = namespaces.filter((n) => !own.has(n!));
  return outside.length
    ? `changes objects in namespace ${outside.join(', ')}, which the run does not create`
    : undefined;
}

/**
 * The namespaces of the objects a step gives kubectl on its standard input (`-f -`), each
 * object's own (undefined where one has none); none when it reads no manifest from there.
 */
function stdinNamespaces(step: KubectlStep): (string | undefined)[] {
  if (
    step.stdin === undefined ||
    !step.args.some((a, i) => a === '-' && ['-f', '--filename'].includes(step.args[i - 1] ?? ''))
  )
    return [];
  try {
    return parseAllDocuments(step.stdin)
      .map((d) => d.toJSON() as { metadata?: { namespace?: string } } | null)
      .filter((o) => o !== null)
      .map((o) => o.metadata?.namespace);
  } catch {
    return [undefined];
  }
}

/** Flags of kubectl whose value is the next argument (the rest are written --flag=value or take none). */
const FLAGS_WITH_VALUES = new Set([
  '-n',
  '--namespace',
  '-l',
  '--selector',
  '-o',
  '--output',
  '-f',
  '--filename',
  '-c',
  '--container',
]);

/** The arguments that are not flags nor their values: the verb, the kind, the names. */
function positionalWords(args: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (FLAGS_WITH_VALUES.has(args[i]!)) i++;
    else if (!args[i]!.startsWith('-')) words.push(args[i]!);
  }
  return words;
}

/** The value of -n / --namespace in kubectl arguments, in any of kubectl's spellings. */
function namespaceFlag(args: readonly string[]): string | undefined {
  for (const [i, arg] of args.entries()) {
    if (arg === '-n' || arg === '--namespace') return args[i + 1];
    if (arg.startsWith('--namespace=')) return arg.slice('--namespace='.length);
    if (arg.startsWith('-n') && arg.length > 2 && !arg.startsWith('--'))
      return arg.slice(2).replace(/^=/, '');
  }
  return undefined;
}

function namespaceOf(namespacedName: string): string {
  return namespacedName.split('/')[0]!;
}
