import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import {
  type ClusterRecord,
  type ClusterSpec,
  type ProviderChoice,
  chooseProvider,
  defaultClusterSpec,
  dockerEngineAnswers,
  listClusterRecords,
  openCluster,
  parseClusterSpec,
  providerFor,
  readClusterRecord,
  reapDocker,
  reapProcesses,
  removeClusterDir,
  unconfineHostPods,
  simulatedNodeNames,
} from '../cluster/index.js';
import { UsageError } from './usage-error.js';

interface UpFlags {
  config?: string;
  provider: ProviderChoice;
  workers?: string;
  name?: string;
  baseImage?: string;
}

/** `crucible up`: boots a cluster, waits until every node is Ready, writes a kubeconfig; the cluster stays up. */
export function upCommand(): Command {
  return new Command('up')
    .description('boot a cluster of the bundled orchestrator and leave it running')
    .option('--config <file>', 'cluster spec file (apiVersion crucible.dev/v1alpha1, kind Cluster)')
    .option(
      '--provider <name>',
      'docker (a container per component), process (local processes), or auto: docker when an engine answers',
      'auto',
    )
    .option('--workers <n>', 'number of workers (overrides the spec)')
    .option('--name <name>', 'cluster name (overrides the spec)')
    .option('--base-image <image>', 'docker: build the node image on this image instead of scratch')
    .action(async (flags: UpFlags) => {
      const spec = await specFrom(flags);
      const provider = await chooseProvider(flags.provider, { baseImage: flags.baseImage });
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const log = (line: string) => process.stderr.write(`» ${line}\n`);
      log(`provider ${provider.name}: booting cluster "${spec.name}"`);
      const started = Date.now();
      const cluster = await provider.create(spec, log, abort.signal).catch((e: unknown) => {
        if (!abort.signal.aborted) throw e;
        log('interrupted: everything it had started is removed');
        process.exit(130);
      });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Until here a killed `up` leaves nothing (the cluster's reaper removes it); now it is the user's.
      await cluster.keep?.();
      const { record } = cluster;
      const lines = [
        `cluster "${cluster.name}" is up (${provider.name}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
        `  apiserver   ${record.apiservers.join(', ')}`,
        `  toxiproxy   ${record.toxiproxy}  (${record.links.length} links)`,
        ...record.workers.map(
          (w) =>
            `  ${w.name.padEnd(11)} ${w.ip}  (node ports at ${w.ip}:<nodePort>, kubelet :${w.kubeletPort})`,
        ),
        ...simulatedLine(record),
        '',
        `  export KUBECONFIG=${cluster.credentials.kubeconfig}`,
        '  kubectl get nodes',
        `  crucible down ${cluster.name}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}

async function specFrom(flags: UpFlags): Promise<ClusterSpec> {
  const workers = flags.workers === undefined ? undefined : Number(flags.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 100)) {
    throw new UsageError('InvalidFlag', `--workers: "${flags.workers}" is not a whole number from 1 to 100`);
  }
  if (!flags.config) return defaultClusterSpec({ name: flags.name, workers });
  const spec = parseClusterSpec(await readFile(flags.config, 'utf8'), flags.config);
  return {
    ...spec,
    ...(flags.name ? { name: flags.name } : {}),
    ...(workers ? { workers: [{ ...spec.workers[0]!, count: workers }] } : {}),
  };
}

/**
 * `crucible down [NAME|--all]`: removes a cluster's containers, network and processes (by label,
 * crashed runs included) and its state.
 */
export function downCommand(): Command {
  return new Command('down')
    .description('remove a cluster and everything it started')
    .argument('[name]', 'cluster name', 'crucible')
    .option('--all', 'every cluster, and everything any crucible run left')
    .action(async (name: string, flags: { all?: boolean }) => {
      if (flags.all) {
        for (const c of await listClusterRecords()) await removeClusterDir(c.name);
        const removed = (await reapProcesses()) + (await reapDockerIfRunning()) + (await unconfineHostPods());
        process.stdout.write(`all clusters removed (${removed} process(es), container(s) and network(s))\n`);
        return;
      }
      const record = await readClusterRecord(name);
      // Without a record (a crashed `up`), both kinds of leftovers are looked for by label.
      const removed = record
        ? await providerFor(record.provider).delete(name)
        : (await reapProcesses(name)) + (await reapDockerIfRunning(name));
      await removeClusterDir(name);
      process.stdout.write(
        `cluster "${name}" removed (${removed} process(es), container(s) and network(s))\n`,
      );
    });
}

async function reapDockerIfRunning(name?: string): Promise<number> {
  return (await dockerEngineAnswers(2000)) ? reapDocker(name) : 0;
}

/** `crucible ls`: clusters, their nodes and the host address of each. */
export function lsCommand(): Command {
  return new Command('ls')
    .description('list clusters')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (flags: { output: string }) => {
      const clusters = await listClusterRecords();
      if (flags.output === 'json') return void process.stdout.write(JSON.stringify(clusters, null, 2) + '\n');
      if (flags.output !== 'text')
        throw new UsageError('InvalidFlag', `--output: "${flags.output}" is not text or json`);
      if (clusters.length === 0) return void process.stdout.write('no clusters\n');
      for (const c of clusters) {
        process.stdout.write(
          `${c.name}  provider=${c.provider}  run=${c.runId}  ${await liveness(c)}  apiserver ${c.apiservers.join(',')}\n`,
        );
        for (const w of c.workers) process.stdout.write(`  ${w.name}  ${w.ip}\n`);
      }
    });
}

/** How much of a cluster runs, as its provider sees it; a cluster that cannot be opened says why. */
async function liveness(record: ClusterRecord): Promise<string> {
  if (record.provider === 'docker' && !(await dockerEngineAnswers(2000)))
    return 'containers: no Docker engine answers';
  return openCluster(record.name).then(
    (cluster) => cluster.liveness(),
    (e: Error) => e.message,
  );
}

/** `crucible kubeconfig NAME`: the path of the cluster's kubeconfig. */
export function kubeconfigCommand(): Command {
  return new Command('kubeconfig')
    .description("print the path of a cluster's kubeconfig")
    .argument('[name]', 'cluster name', 'crucible')
    .action(async (name: string) => {
      process.stdout.write((await openCluster(name)).credentials.kubeconfig + '\n');
    });
}

/** `crucible logs NAME COMPONENT`: a node's log (e.g. apiserver-0, worker-1), or one member's (worker-1-kubelet). */
export function logsCommand(): Command {
  return new Command('logs')
    .description("print a component's log")
    .argument('<name>', 'cluster name')
    .argument(
      '<component>',
      'e.g. etcd-0, apiserver-0, scheduler-0, controller-manager-0, toxiproxy, worker-1',
    )
    .action(async (name: string, component: string) => {
      process.stdout.write(await (await openCluster(name)).logs(component));
    });
}

/** The simulated nodes of a cluster in one line, when it has any. */
function simulatedLine(record: ClusterRecord): string[] {
  const names = simulatedNodeNames(record.spec);
  if (names.length === 0) return [];
  return [`  ${'simulated'.padEnd(11)} ${names.length} nodes ${names[0]} … ${names.at(-1)} (run nothing)`];
}
