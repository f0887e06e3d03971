import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Verdict } from '../checks/index.js';
import { type ProviderChoice, chooseProvider } from '../cluster/index.js';
import { checkLoadTools, exitCodeOf, runExperiment } from '../experiment/index.js';
import type { History } from '../history/index.js';
import { MultiplexReporter, RunFolderReporter, type RunReporter } from '../reporters/index.js';
import { parseScenario } from '../scenario/index.js';
import { CrucibleError } from './library-error.js';

export interface RunScenarioOptions {
  /** docker, process, or auto (docker when an engine answers). */
  provider?: ProviderChoice;
  /** The seed of every random choice (default: random). */
  seed?: number;
  /** Write the run's history, verdicts, evidence and report into this folder, as `crucible run --out`. */
  out?: string;
  /** For an inline scenario: where its relative paths (manifests) start; default the working directory. */
  dir?: string;
  /** One line per phase and fault, as `crucible run` prints them. */
  progress?: (line: string) => void;
  /** Reporters of your own, besides the run folder. */
  reporters?: RunReporter[];
  /** Stops the run: heal, collect and teardown still run, and the history is marked aborted. */
  signal?: AbortSignal;
  /** Every load's driver, whatever the scenario says: builtin, k6 (the real one), or auto. */
  loadDriver?: 'builtin' | 'k6' | 'auto';
}

export interface ScenarioResult {
  history: History;
  verdicts: Verdict[];
  /** The harness's own failure, if any (a steady state never reached is a failed verdict, not this). */
  error?: Error;
  /** `crucible run`'s exit code for this run: 0 every check passed, 1 one failed, 2 unknown, 3 the harness failed. */
  exitCode: 0 | 1 | 2 | 3;
}

/**
 * Runs one experiment end to end, as `crucible run` does: boot, workloads, steady state,
 * recorders and load, faults, heal, recovery, collect, teardown, then the verdicts. `scenario` is
 * a scenario file's path, or the scenario itself as an object in its YAML shape.
 */
export async function runScenario(
  scenario: string | Record<string, unknown>,
  options: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  if (typeof scenario !== 'string' && (typeof scenario !== 'object' || scenario === null))
    throw new CrucibleError('InvalidArgument', 'runScenario: give a scenario file path or a scenario object');
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed))
    throw new CrucibleError('InvalidArgument', `runScenario: seed ${seed} is not a whole number`);
  const [text, file] =
    typeof scenario === 'string'
      ? [await readFile(scenario, 'utf8'), resolve(scenario)]
      : [
          JSON.stringify({ apiVersion: 'crucible.dev/v1alpha1', kind: 'Scenario', ...scenario }),
          resolve(options.dir ?? '.', 'inline-scenario.yaml'),
        ];
  const parsed = await parseScenario(text, file, { seed });
  await checkLoadTools(parsed, options.loadDriver);
  const provider = await chooseProvider(options.provider ?? 'auto');
  const reporter = new MultiplexReporter([
    ...(options.out ? [new RunFolderReporter(options.out, { write: () => undefined })] : []),
    ...(options.reporters ?? []),
  ]);
  await reporter.onBegin({ scenarios: [parsed], provider: provider.name, seed, repeat: 1 });
  await reporter.onScenarioBegin(parsed);
  const result = await runExperiment(parsed, {
    provider,
    seed,
    keep: false,
    commandLine: ['runScenario', file],
    progress: (line) => {
      options.progress?.(line);
      reporter.onProgress(parsed, line);
    },
    signal: options.signal ?? new AbortController().signal,
    ...(options.loadDriver ? { loadDriver: options.loadDriver } : {}),
  });
  await reporter.onScenarioEnd({ scenario: parsed, result });
  await reporter.onEnd([{ scenario: parsed, result }]);
  return {
    history: result.history,
    verdicts: result.verdicts,
    ...(result.error ? { error: result.error } : {}),
    exitCode: exitCodeOf(result),
  };
}
