import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { defaultClusterSpec, parseClusterSpec, type ClusterSpec } from '../cluster/cluster-spec.js';
import { ProcessProvider, listClusters, readState } from '../cluster/process-provider.js';
import { isProcessAlive, reapProcesses } from '../cluster/process-reaper.js';

interface UpFlags {
  config?: string;
  provider: string;
  workers?: string;
  name?: string;
}

/** `crucible up`: boots a cluster, waits until every node is Ready, writes a kubeconfig; the cluster stays up. */
export function upCommand(): Command {
  return new Command('up')
    .description('boot a cluster of the bundled orchestrator and leave it running')
    .option('--config <file>', 'cluster spec file (apiVersion crucible.dev/v1alpha1, kind Cluster)')
    .option('--provider <name>', 'process (local processes); docker comes next', 'process')
    .option('--workers <n>', 'number of workers (overrides the spec)')
    .option('--name <name>', 'cluster name (overrides the spec)')
    .action(async (flags: UpFlags) => {
      if (flags.provider !== 'process')
        throw new Error(`--provider: "${flags.provider}" is not available yet; use process`);
      const spec = await specFrom(flags);
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const log = (line: string) => process.stderr.write(`» ${line}\n`);
      const started = Date.now();
      const state = await new ProcessProvider().create(spec, log, abort.signal);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const lines = [
        `cluster "${state.name}" is up (${((Date.now() - started) / 1000).toFixed(1)} s)`,
        `  apiserver   ${state.apiservers.join(', ')}`,
        ...state.workers.map(
          (w) =>
            `  ${w.name.padEnd(11)} ${w.ip}  (node ports at ${w.ip}:<nodePort>, kubelet :${w.kubeletPort})`,
        ),
        '',
        `  export KUBECONFIG=${state.kubeconfig}`,
        '  kubectl get nodes',
        `  crucible down ${state.name}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

async function specFrom(flags: UpFlags): Promise<ClusterSpec> {
  const workers = flags.workers === undefined ? undefined : Number(flags.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 100)) {
    throw new Error(`--workers: "${flags.workers}" is not a whole number from 1 to 100`);
  }
  if (!flags.config) return defaultClusterSpec({ name: flags.name, workers });
  const spec = parseClusterSpec(await readFile(flags.config, 'utf8'), flags.config);
  return {
    ...spec,
    ...(flags.name ? { name: flags.name } : {}),
    ...(workers ? { workers: [{ ...spec.workers[0]!, count: workers }] } : {}),
  };
}

/** `crucible down [NAME|--all]`: removes a cluster's processes (by label, crashed runs included) and state. */
export function downCommand(): Command {
  return new Command('down')
    .description('remove a cluster and everything it started')
    .argument('[name]', 'cluster name', 'crucible')
    .option('--all', 'every cluster, and every process any crucible run left')
    .action(async (name: string, flags: { all?: boolean }) => {
      const provider = new ProcessProvider();
      if (flags.all) {
        for (const c of await listClusters()) await provider.delete(c.name);
        const stray = await reapProcesses();
        process.stdout.write(`all clusters removed${stray ? ` (${stray} stray process(es) stopped)` : ''}\n`);
        return;
      }
      const stopped = await provider.delete(name);
      process.stdout.write(`cluster "${name}" removed (${stopped} process(es) stopped)\n`);
    });
}

/** `crucible ls`: clusters, their nodes and the host address of each. */
export function lsCommand(): Command {
  return new Command('ls').description('list clusters').action(async () => {
    const clusters = await listClusters();
    if (clusters.length === 0) return void process.stdout.write('no clusters\n');
    for (const c of clusters) {
      const alive = c.members.filter((m) => isProcessAlive(m.pid)).length;
      process.stdout.write(
        `${c.name}  provider=${c.provider}  run=${c.runId}  processes ${alive}/${c.members.length} alive  apiserver ${c.apiservers[0]}\n`,
      );
      for (const w of c.workers) process.stdout.write(`  ${w.name}  ${w.ip}\n`);
    }
  });
}

/** `crucible kubeconfig NAME`: the path of the cluster's kubeconfig. */
export function kubeconfigCommand(): Command {
  return new Command('kubeconfig')
    .description("print the path of a cluster's kubeconfig")
    .argument('[name]', 'cluster name', 'crucible')
    .action(async (name: string) => {
      const state = await readState(name);
      if (!state) throw new Error(`no cluster "${name}": see crucible ls`);
      process.stdout.write(state.kubeconfig + '\n');
    });
}

/** `crucible logs NAME COMPONENT`: a component's log (e.g. apiserver-0, worker-1-kubelet). */
export function logsCommand(): Command {
  return new Command('logs')
    .description("print a component's log")
    .argument('<name>', 'cluster name')
    .argument(
      '<component>',
      'e.g. etcd-0, apiserver-0, scheduler-0, controller-manager-0, worker-1-kubelet, worker-1-kube-proxy',
    )
    .action(async (name: string, component: string) => {
      const state = await readState(name);
      if (!state) throw new Error(`no cluster "${name}": see crucible ls`);
      const member = state.members.find((m) => m.name === component);
      if (!member)
        throw new Error(
          `no component "${component}" in ${name}; one of: ${state.members.map((m) => m.name).join(', ')}`,
        );
      process.stdout.write(await readFile(member.logFile, 'utf8'));
    });
}
