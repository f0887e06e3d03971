import { dirname } from 'node:path';
import type { Scenario } from '../scenario/scenario.js';
import type { ExperimentRun } from './experiment-run.js';
import { playSchedule } from './fault-schedule.js';
import { runKubectl } from './kubectl-run.js';
import type { Phase } from './phase.js';
import { runSteps } from './scenario-steps.js';

/** How often the live line says which faults are in force and what the loads see. */
const LIVE_LINE_MS = 5000;

/**
 * faults: the fault schedule and the scenario's steps (a conformance behaviour), side by side from
 * the same start. Each change of the faults in force reruns the isolation battery.
 */
export const faultsPhase: Phase = {
  name: 'faults',
  kind: 'lifecycle',
  timeoutMs: (run) => faultsPhaseMs(run.scenario),
  async run(run, signal) {
    let activeFaults: string[] = [];
    const ticker = setInterval(() => run.options.progress(liveLine(run, activeFaults)), LIVE_LINE_MS);
    try {
      await Promise.all([
        playSchedule(
          run.scenario.faults,
          run.injector!,
          () => run.now(),
          (active) => {
            activeFaults = active;
            run.options.progress(`faults: ${active.length ? active.join(', ') : 'none'} in force`);
            // Isolation must hold under every fault, and after it: both batteries run again.
            void run.observation?.recorders.isolation?.run();
            void run.observation?.recorders.inPod?.run();
          },
          signal,
        ),
        runScenarioSteps(run, signal),
      ]);
    } finally {
      clearInterval(ticker);
    }
  },
};

function runScenarioSteps(run: ExperimentRun, signal: AbortSignal): Promise<void> {
  const { cluster, scenario } = run;
  return runSteps(scenario.steps, {
    kubectl: (args, o) =>
      runKubectl(args, {
        kubeconfig: cluster!.credentials.kubeconfig,
        ...(o.as ? { token: run.tenantTokens[o.as]! } : {}),
        ...(o.stdin === undefined ? {} : { stdin: o.stdin }),
        cwd: dirname(scenario.file),
        timeoutMs: o.timeoutMs,
        signal: o.signal,
      }),
    now: () => run.now(),
    record: run.record,
    progress: run.options.progress,
    signal,
  });
}

/** The live line while faults run: which are in force, and what the loads see so far. */
function liveLine(run: ExperimentRun, activeFaults: string[]): string {
  const loadWords = [...(run.observation?.loadProgress ?? [])].map(
    ([name, p]) =>
      `${name} ${p.ok + p.failed ? ((100 * p.ok) / (p.ok + p.failed)).toFixed(2) : '100.00'}% ok of ${p.count}`,
  );
  return `faults: ${activeFaults.join(', ') || 'none'} in force; ${loadWords.join('; ') || 'no load'}`;
}

/** Long enough for every fault of the schedule to be injected and healed, and every step to run out its time, with a margin. */
function faultsPhaseMs(scenario: Scenario): number {
  const end = Math.max(0, ...scenario.faults.map((f) => f.atMs + f.forMs));
  const steps = scenario.steps.reduce(
    (sum, s) => sum + (s.kind === 'sleep' ? s.ms : Math.max(s.timeoutMs, s.eventuallyMs ?? 0) + s.timeoutMs),
    0,
  );
  return Math.max(end, steps) + 60_000;
}
