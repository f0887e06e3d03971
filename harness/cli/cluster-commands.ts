import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { type ProviderChoice, chooseProvider, providerFor } from '../cluster/choose-provider.js';
import { nodeNames } from '../cluster/cluster-provider.js';
import {
  defaultClusterSpec,
  parseClusterSpec,
  simulatedNodeNames,
  type ClusterSpec,
} from '../cluster/cluster-spec.js';
import {
  type ClusterState,
  listClusters,
  removeClusterDir,
  requireState,
  readState,
} from '../cluster/cluster-state.js';
import { DOCKER_CLUSTER_LABEL, dockerClient, reapDocker } from '../cluster/docker-engine.js';
import { dockerEngineAnswers } from '../cluster/node-image.js';
import { isProcessAlive, reapProcesses } from '../cluster/process-reaper.js';

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
      const state = await provider.create(spec, log, abort.signal).catch((e: unknown) => {
        if (!abort.signal.aborted) throw e;
        log('interrupted: everything it had started is removed');
        process.exit(130);
      });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const lines = [
        `cluster "${state.name}" is up (${provider.name}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
        `  apiserver   ${state.apiservers.join(', ')}`,
        `  toxiproxy   ${state.toxiproxy}  (${state.links.length} links)`,
        ...state.workers.map(
          (w) =>
            `  ${w.name.padEnd(11)} ${w.ip}  (node ports at ${w.ip}:<nodePort>, kubelet :${w.kubeletPort})`,
        ),
        ...simulatedLine(state),
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
        for (const c of await listClusters()) await removeClusterDir(c.name);
        const removed = (await reapProcesses()) + (await reapDockerIfRunning());
        process.stdout.write(`all clusters removed (${removed} process(es), container(s) and network(s))\n`);
        return;
      }
      const state = await readState(name);
      // Without state (a crashed `up`), both kinds of leftovers are looked for by label.
      const removed = state
        ? await providerFor(state.provider).delete(name)
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
      const clusters = await listClusters();
      if (flags.output === 'json') return void process.stdout.write(JSON.stringify(clusters, null, 2) + '\n');
      if (flags.output !== 'text') throw new Error(`--output: "${flags.output}" is not text or json`);
      if (clusters.length === 0) return void process.stdout.write('no clusters\n');
      for (const c of clusters) {
        process.stdout.write(
          `${c.name}  provider=${c.provider}  run=${c.runId}  ${await liveness(c)}  apiserver ${c.apiservers.join(',')}\n`,
        );
        for (const w of c.workers) process.stdout.write(`  ${w.name}  ${w.ip}\n`);
      }
    });
}

async function liveness(state: ClusterState): Promise<string> {
  if (state.provider === 'process') {
    const alive = Object.values(state.handles).filter((h) => h.pid !== undefined && isProcessAlive(h.pid));
    return `processes ${alive.length}/${state.members.length} alive`;
  }
  // What the engine says of the cluster's containers, found by label like everything else.
  if (!(await dockerEngineAnswers(2000))) return 'containers: no Docker engine answers';
  const containers = await (
    await dockerClient()
  ).listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${DOCKER_CLUSTER_LABEL}=${state.name}`] }),
  });
  const running = containers.filter((c) => c.State === 'running').length;
  return `containers ${running}/${nodeNames(state).length} running`;
}

/** `crucible kubeconfig NAME`: the path of the cluster's kubeconfig. */
export function kubeconfigCommand(): Command {
  return new Command('kubeconfig')
    .description("print the path of a cluster's kubeconfig")
    .argument('[name]', 'cluster name', 'crucible')
    .action(async (name: string) => {
      process.stdout.write((await requireState(name)).kubeconfig + '\n');
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
      const state = await requireState(name);
      const member = state.members.find((m) => m.name === component);
      const provider = providerFor(state.provider);
      if (member && state.provider === 'process') {
        const file = state.handles[member.name]?.logFile;
        return void process.stdout.write(file ? await readFile(file, 'utf8') : '');
      }
      process.stdout.write(await provider.logs(state, member?.node ?? component));
    });
}

/** The simulated nodes of a cluster in one line, when it has any. */
function simulatedLine(state: ClusterState): string[] {
  const names = simulatedNodeNames(state.spec);
  if (names.length === 0) return [];
  return [`  ${'simulated'.padEnd(11)} ${names.length} nodes ${names[0]} … ${names.at(-1)} (run nothing)`];
}
