import type { ApiClient } from '../../orchestrator/api/client/index.js';
import type { ClusterProvider, RunningCluster } from '../cluster/index.js';
import type { FaultInjector } from '../faults/index.js';
import type { HistoryEvent, LoadSecond } from '../history/index.js';
import type { Scenario } from '../scenario/scenario.js';
import type { Observation } from './observation.js';
import { PhaseClock } from './phase-clock.js';

export interface ExperimentOptions {
  provider: ClusterProvider;
  seed: number;
  /** Leave the cluster up afterwards, for debugging. */
  keep: boolean;
  commandLine: string[];
  /** One line per change of phase or fault, and about once a second while the faults run. */
  progress: (line: string) => void;
  /** Ctrl-C: stops the run; heal, collect and teardown still run and the history is marked aborted. */
  signal: AbortSignal;
  /** Every load's driver, whatever the scenario says (`crucible run --load-driver`). */
  loadDriver?: 'builtin' | 'k6' | 'auto';
}

/**
 * What one run holds as it goes through its phases: the events recorded so far, the phase clock,
 * and what each phase hands on to the later ones (the cluster, its admin client, the fault
 * injector, the recorders and loads). Each is set by the phase that makes it and undefined until
 * then, so a clean-up phase acts only on what exists.
 */
export class ExperimentRun {
  readonly startedAt = Date.now();
  readonly events: HistoryEvent[] = [];
  readonly clock: PhaseClock;
  cluster?: RunningCluster;
  client?: ApiClient;
  injector?: FaultInjector;
  observation?: Observation;
  /** Each tenant's bearer token (its ServiceAccount's, from the TokenRequest API), once set up. */
  tenantTokens: Record<string, string> = {};
  /** The evidence taken before teardown: paths relative to the run's folder → text. */
  evidence = new Map<string, string>();
  /** What the loads saw, per load and second, once collected. */
  loadSeconds: LoadSecond[] = [];
  /** Why the lifecycle stopped before its end: a failed or timed-out phase. */
  lifecycleError?: Error;
  /** A clean-up phase's own failure (heal, collect, teardown). */
  cleanupError?: Error;

  constructor(
    readonly scenario: Scenario,
    readonly options: ExperimentOptions,
  ) {
    this.clock = new PhaseClock(this.startedAt, options.signal, (phase, status) => {
      this.record({ t: this.now(), type: 'phase', phase, status });
      if (status === 'start') options.progress(phase);
    });
  }

  readonly record = (event: HistoryEvent): void => {
    this.events.push(event);
  };

  /** ms since the run started: the history's time. */
  now(): number {
    return Date.now() - this.startedAt;
  }

  /** Whether the lifecycle did not run to its end: Ctrl-C, or a phase that failed. */
  get aborted(): boolean {
    return this.options.signal.aborted || this.lifecycleError !== undefined;
  }

  /** The harness's own failure, if any: the lifecycle's first, else a clean-up's. */
  get error(): Error | undefined {
    return this.lifecycleError ?? this.cleanupError;
  }
}
