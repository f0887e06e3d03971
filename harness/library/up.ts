import {
  type ClusterSpec,
  type ProviderChoice,
  chooseProvider,
  defaultClusterSpec,
  parseClusterSpec,
} from '../cluster/index.js';
import { Cluster } from './cluster.js';
import { CrucibleError } from './library-error.js';

export interface UpOptions {
  /** docker, process, or auto (docker when an engine answers): as `crucible up --provider`. */
  provider?: ProviderChoice;
  /** How many workers (default 3), when no spec is given. */
  workers?: number;
  /** The cluster's name (default: crucible-<random>, so tests side by side never share one). */
  name?: string;
  /**
   * A Cluster spec (the `kind: Cluster` document of `crucible up --config`), as an object in its
   * YAML shape (defaults filled in) or as YAML text; its name and workers yield to the options.
   */
  spec?: Record<string, unknown> | string;
  /** Each boot step, as `crucible up` prints them. */
  progress?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Boots a cluster of the bundled orchestrator and gives it to the caller, as `crucible up` does:
 * `await using cluster = await up({ workers: 2 })`. On failure nothing is left behind.
 */
export async function up(options: UpOptions = {}): Promise<Cluster> {
  const workers = options.workers;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 100))
    throw new CrucibleError(
      'InvalidArgument',
      `up: workers ${String(workers)} is not a whole number from 1 to 100`,
    );
  const name = options.name ?? `crucible-${Math.random().toString(36).slice(2, 8)}`;
  const spec = specOf(options, name, workers);
  const provider = await chooseProvider(options.provider ?? 'auto');
  const running = await provider.create(spec, options.progress ?? (() => undefined), options.signal);
  return new Cluster(running);
}

function specOf(options: UpOptions, name: string, workers: number | undefined): ClusterSpec {
  if (options.spec === undefined) return defaultClusterSpec({ name, workers });
  const text =
    typeof options.spec === 'string'
      ? options.spec
      : JSON.stringify({ apiVersion: 'crucible.dev/v1alpha1', kind: 'Cluster', ...options.spec });
  const spec = parseClusterSpec(text, '<up spec>');
  return {
    ...spec,
    name: options.name ?? spec.name,
    ...(workers ? { workers: [{ ...spec.workers[0]!, count: workers }] } : {}),
  };
}
