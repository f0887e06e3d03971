import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { beginInvocation, recordedDurations } from '../../reports/index.js';
import {
  ClusterError,
  chooseProvider,
  type ClusterErrorCode,
  type ClusterProvider,
  type KubeconfigProvider,
  type ProviderChoice,
  type ProviderOptions,
} from '../cluster/index.js';
import { EXIT, checkLoadTools, exitCodeOf, runExperiment, unmetNeeds } from '../experiment/index.js';
import {
  JUnitFileReporter,
  MultiplexReporter,
  ProgressReporter,
  RunFolderReporter,
  VerdictTableReporter,
  type RunReporter,
  type ScenarioRun,
} from '../reporters/index.js';
import {
  findScenarioFiles,
  notAScenarioWords,
  parseScenario,
  selectShard,
  type Scenario,
} from '../scenario/index.js';
import { existingClusterPlan } from './existing-cluster-plan.js';
import { parseShardFlag, shardLine } from './shard-flag.js';
import { UsageError } from './usage-error.js';

interface RunFlags {
  provider: ProviderChoice;
  seed?: string;
  out: string;
  junit?: string;
  keep?: boolean;
  repeat: string;
  parallel: string;
  dryRun?: boolean;
  tag?: string;
  keepRuns?: string;
  loadDriver?: 'builtin' | 'k6' | 'auto';
  shard?: string;
  kubeconfig?: string;
  context?: string;
}

/**
 * Why a cluster could not even start, the same for every scenario after it: nothing was started
 * (the provider rolls back), so the invocation stops at once instead of reporting each scenario
 * as inconclusive.
 */
const NO_CLUSTER_CAN_START: readonly ClusterErrorCode[] = ['NoFreeAddress', 'NoDockerEngine'];

export { EXIT };

/**
 * `crucible run FILE|DIR…`: runs scenarios end to end, writes history, report and JUnit, exits by
 * the verdicts. A folder stands for the files of kind Scenario under it; the other YAML there
 * (manifests, cluster specs) is listed as skipped on stderr.
 */
export function runCommand(): Command {
  return new Command('run')
    .description('run experiments: boot, load, faults, heal, judge, report')
    .argument('<paths...>', 'scenario files, or folders of them')
    .option(
      '--provider <name>',
      'docker, process, kubeconfig (an existing cluster), or auto (docker when an engine answers)',
      'auto',
    )
    .option('--kubeconfig <file>', 'with --provider kubeconfig: the kubeconfig of the existing cluster')
    .option(
      '--context <name>',
      'with --provider kubeconfig: its context (always named; never the current one by default)',
    )
    .option('--seed <n>', 'seed of every random choice (default: random, printed)')
    .option('--out <dir>', 'where histories and reports go', 'crucible-runs')
    .option('--junit <file>', 'also write one JUnit file for all the scenarios run')
    .option('--keep', 'leave the cluster up afterwards, for debugging')
    .option('--repeat <n>', 'run each scenario this many times', '1')
    .option(
      '--parallel <n>',
      "run up to n scenarios at once, each on a cluster of its own (a scenario's repeats stay in order)",
      '1',
    )
    .option('--dry-run', 'validate and print the plan without booting anything')
    .option('--tag <tags>', 'only scenarios with one of these tags (comma-separated), e.g. quick')
    .option('--keep-runs <n>', 'keep the newest n runs of each scenario in --out, delete older ones')
    .option(
      '--shard <i/n>',
      'run only the i-th of n shares of the scenarios, balanced by the durations recorded in --out (join them with report --merge)',
    )
    .addOption(
      new Option(
        '--load-driver <name>',
        "every load's driver, whatever the scenario says (k6: the real k6)",
      ).choices(['builtin', 'k6', 'auto']),
    )
    .action(async (paths: string[], flags: RunFlags) => {
      const seed = flags.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(flags.seed);
      if (!Number.isInteger(seed))
        throw new UsageError('InvalidFlag', `--seed: "${flags.seed}" is not a whole number`);
      const keepRuns = flags.keepRuns === undefined ? undefined : Number(flags.keepRuns);
      if (keepRuns !== undefined && (!Number.isInteger(keepRuns) || keepRuns < 1))
        throw new UsageError('InvalidFlag', `--keep-runs: "${flags.keepRuns}" is not a whole number ≥ 1`);
      const repeat = Number(flags.repeat);
      if (!Number.isInteger(repeat) || repeat < 1)
        throw new UsageError('InvalidFlag', `--repeat: "${flags.repeat}" is not a positive whole number`);
      const parallel = Number(flags.parallel);
      if (!Number.isInteger(parallel) || parallel < 1 || parallel > 16)
        throw new UsageError(
          'InvalidFlag',
          `--parallel: "${flags.parallel}" is not a whole number from 1 to 16`,
        );
      const shard = flags.shard === undefined ? undefined : parseShardFlag(flags.shard);
      let scenarios: Scenario[] = [];
      const tags = flags.tag
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      for (const file of await scenarioFiles(paths)) {
        const scenario = await parseScenario(await readFile(file, 'utf8'), file, { seed });
        if (!tags || scenario.tags.some((t) => tags.includes(t))) scenarios.push(scenario);
      }
      if (scenarios.length === 0)
        throw new UsageError(
          'NoScenarios',
          `no scenario${tags ? ` tagged ${tags.join(' or ')}` : ''} in ${paths.join(', ')}`,
        );
      if (shard) {
        const selection = selectShard(scenarios, shard, await recordedDurations(flags.out));
        process.stderr.write(`${shardLine(shard, selection, flags.out)}\n`);
        // More shards than scenarios: this one has nothing to do, which is no failure; its folder
        // says so, lest a merge take the runs of an earlier invocation there for this shard's.
        if (selection.scenarios.length === 0) {
          if (!flags.dryRun)
            await beginInvocation(
              resolve(flags.out),
              `shard-${shard.index}-of-${shard.count}-${new Date().toISOString()}`,
            );
          return;
        }
        scenarios = selection.scenarios;
      }
      if (flags.dryRun && flags.provider !== 'kubeconfig') {
        for (const s of scenarios) process.stdout.write(planText(s, seed));
        return;
      }
      // A missing k6 or a broken k6 script is said now, before any cluster boots.
      for (const scenario of scenarios) await checkLoadTools(scenario, flags.loadDriver);
      const provider = await chooseProvider(flags.provider, providerOptions(flags));
      const fitting = scenariosThatFit(scenarios, provider, paths);
      if (flags.dryRun) {
        // On an existing cluster, the plan also says what it would touch there (read, not changed).
        const existing = provider as KubeconfigProvider;
        const leftovers = await existing.leftovers();
        for (const s of fitting)
          process.stdout.write(planText(s, seed) + (await existingClusterPlan(s, existing, leftovers)));
        return;
      }
      const abort = new AbortController();
      const onSignal = () => {
        process.stderr.write('\n» interrupted: healing, collecting and tearing down…\n');
        abort.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const reporters: RunReporter[] = [
        new ProgressReporter(),
        new VerdictTableReporter(),
        new RunFolderReporter(flags.out, keepRuns === undefined ? {} : { keepRuns }),
        ...(flags.junit ? [new JUnitFileReporter(flags.junit)] : []),
      ];
      const reporter = new MultiplexReporter(reporters, (f) =>
        process.stderr.write(`crucible: the ${f.reporter} reporter failed (${f.hook}): ${f.message}\n`),
      );
      await reporter.onBegin({ scenarios: fitting, provider: provider.name, seed, repeat });
      // Each scenario's runs, in the order given whatever order they end in (the JUnit's order).
      const runsOf = fitting.map((): ScenarioRun[] => []);
      let cannotStart: ClusterError | undefined;
      // One report written at a time: each rewrites the output folder's index.
      let reported = Promise.resolve();
      const runScenario = async (index: number): Promise<void> => {
        const scenario = fitting[index]!;
        for (let i = 0; i < repeat && !abort.signal.aborted && !cannotStart; i++) {
          await reporter.onScenarioBegin(scenario);
          const progress = (line: string) => reporter.onProgress(scenario, line);
          progress(`provider ${provider.name}, seed ${seed}`);
          const result = await runExperiment(scenario, {
            provider,
            seed,
            keep: flags.keep ?? false,
            commandLine: process.argv.slice(1),
            ...(flags.loadDriver ? { loadDriver: flags.loadDriver } : {}),
            progress,
            signal: abort.signal,
          });
          if (result.error instanceof ClusterError && NO_CLUSTER_CAN_START.includes(result.error.code)) {
            cannotStart ??= new ClusterError(
              result.error.code,
              `${scenario.name}: no cluster could start, and nothing was left running: ${result.error.message}`,
            );
            return;
          }
          const run = { scenario, result };
          runsOf[index]!.push(run);
          reported = reported.then(() => reporter.onScenarioEnd(run));
          await reported;
        }
      };
      await inParallel(fitting.length, parallel, runScenario);
      const runs = runsOf.flat();
      await reporter.onEnd(runs);
      if (cannotStart) throw cannotStart;
      process.exitCode = Math.max(0, ...runs.map((r) => exitCodeOf(r.result)));
    });
}

/** Runs `work(0)` … `work(count - 1)`, at most `limit` at a time, each started as soon as one ends. */
async function inParallel(
  count: number,
  limit: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

function providerOptions(flags: RunFlags): ProviderOptions {
  if (flags.provider !== 'kubeconfig') {
    if (flags.kubeconfig || flags.context)
      throw new UsageError('InvalidFlag', '--kubeconfig and --context go with --provider kubeconfig');
    return {};
  }
  if (!flags.kubeconfig || !flags.context)
    throw new UsageError(
      'InvalidFlag',
      '--provider kubeconfig needs --kubeconfig FILE and --context NAME: crucible acts on an existing cluster only when its context is named',
    );
  return { target: { kubeconfig: flags.kubeconfig, context: flags.context } };
}

/**
 * The scenarios the provider's clusters can run. One named on its own that cannot is an error;
 * of a folder's, each that cannot is skipped with its reasons on stderr (conformance anywhere:
 * each behaviour the target can run), and none left is an error.
 */
function scenariosThatFit(scenarios: Scenario[], provider: ClusterProvider, paths: string[]): Scenario[] {
  const fitting: Scenario[] = [];
  for (const scenario of scenarios) {
    const reasons = unmetNeeds(scenario, provider);
    if (reasons.length === 0) {
      fitting.push(scenario);
      continue;
    }
    const why = `${scenario.name} cannot run on the ${provider.name} provider's cluster: ${reasons.join('; ')}`;
    if (scenarios.length === 1) throw new UsageError('ScenarioDoesNotFit', why);
    process.stderr.write(`skipped ${why}\n`);
  }
  if (fitting.length === 0)
    throw new UsageError(
      'ScenarioDoesNotFit',
      `none of the scenarios in ${paths.join(', ')} can run on the ${provider.name} provider's cluster`,
    );
  if (fitting.length < scenarios.length)
    process.stderr.write(
      `running ${fitting.length} of ${scenarios.length} scenarios; the others were skipped\n`,
    );
  return fitting;
}

/** The scenario files of the paths given, saying on stderr which YAML was skipped. */
async function scenarioFiles(paths: string[]): Promise<string[]> {
  const { scenarios, skipped, notScenarios, missing } = await findScenarioFiles(paths);
  if (missing.length > 0) throw new UsageError('NoSuchPath', `${missing.join(', ')}: no such file or folder`);
  if (notScenarios.length > 0)
    throw new UsageError('NotAScenario', `${notScenarios.map(notAScenarioWords).join('; ')}`);
  for (const file of skipped) process.stderr.write(`skipped ${notAScenarioWords(file)}\n`);
  return scenarios;
}

function planText(s: Scenario, seed: number): string {
  const workers = s.cluster.workers.reduce((n, g) => n + g.count, 0);
  return [
    `${s.name}  (${s.file}, sha256 ${s.hash.slice(0, 12)}, seed ${seed})`,
    `  cluster: ${s.cluster.etcd.members} etcd, ${s.cluster.controlPlane.apiservers} apiserver(s), ${workers} worker(s), timing ${s.cluster.timing}`,
    ...s.tenants.map((t) => `  tenant ${t.name}: ${t.namespaces.join(', ')}`),
    ...s.loads.map(
      (l) =>
        `  load ${l.name}: ${l.stages ? `${l.stages.length} stages up to ${Math.max(...l.stages.map((st) => st.target))}` : l.rate}/s at ${l.service}${l.requests ? ` (${l.requests.length} requests)` : l.path} with ${l.driver}${l.script ? ` (${l.script})` : ''}`,
    ),
    ...s.faults.map(
      (f) =>
        `  fault ${f.id}: ${f.type} on ${f.target} at ${f.atMs / 1000}s for ${f.forMs / 1000}s ${JSON.stringify(f.options)}`,
    ),
    ...s.checks.map(
      (c) =>
        `  check ${c.name}: ${c.type} over ${typeof c.window === 'string' ? c.window : `during ${c.window.during}`}`,
    ),
    '',
  ].join('\n');
}
