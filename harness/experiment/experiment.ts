import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { judge, type Verdict } from '../checks/index.js';
import { adminClient } from '../cluster/cluster-client.js';
import type { ClusterProvider } from '../cluster/cluster-provider.js';
import type { ClusterState } from '../cluster/cluster-state.js';
import { FaultInjector } from '../faults/index.js';
import { seededRandom, sleep } from '../support/index.js';
import { createLoadDriver, type LoadResult } from '../load/index.js';
import type { LoadProgress } from '../load/load-summary.js';
import { parseLoadSpec } from '../load/load-spec.js';
import { resolveLoadBalancerTarget, resolveServiceTargets } from '../load/service-targets.js';
import { assembleHistory, type History, type HistoryEvent, type LoadSecond } from '../history/index.js';
import {
  ApiProbeRecorder,
  ClusterStateRecorder,
  DurabilityWriter,
  GroundTruthRecorder,
  IsolationBattery,
  adminAccess,
  toLoadSeconds,
} from '../observe/index.js';
import type { ApiClient } from '../../orchestrator/api/client/index.js';
import { playSchedule } from './fault-schedule.js';
import { runKubectl } from './kubectl-run.js';
import { runSteps } from './scenario-steps.js';
import { PhaseClock } from './phase-clock.js';
import { crucibleBuild, toolVersions } from './run-metadata.js';
import type { Scenario } from '../scenario/scenario.js';
import { setUpTenants } from './tenant-setup.js';
import { applyWorkloads, waitForSteadyState, workloadNamespaces } from './workloads.js';

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
}

export interface ExperimentResult {
  history: History;
  verdicts: Verdict[];
  /** The harness's own failure, if any (the run is then judged on what was recorded). */
  error?: Error;
}

const SETUP_TIMEOUT_MS = 30_000;
/** How long the recorders go on after the cluster has recovered. */
const AFTER_RECOVERY_OBSERVATION_MS = 3000;
/** How long a load waits for a LoadBalancer Service's balancer when the cluster runs a cloud-controller-manager. */
const LOAD_BALANCER_WAIT_MS = 30_000;

/**
 * One experiment, Jepsen's way: boot → workloads → steady state → recorders and load → faults →
 * heal → recovery → collect → teardown, then judge the history. Heal, collect and teardown run
 * whatever happened before (a failed phase, a timeout, Ctrl-C); the history then says where and
 * why the run was aborted.
 */
export async function runExperiment(
  scenario: Scenario,
  options: ExperimentOptions,
): Promise<ExperimentResult> {
  const startedAt = Date.now();
  const events: HistoryEvent[] = [];
  const record = (e: HistoryEvent) => events.push(e);
  const clock = new PhaseClock(startedAt, options.signal, (phase, status) => {
    record({ t: Date.now() - startedAt, type: 'phase', phase, status });
    if (status === 'start') options.progress(`${phase}`);
  });
  const { provider } = options;
  const clusterName = `run-${randomBytes(3).toString('hex')}`;
  const timeouts = scenario.timeouts;
  const recorderOptions = { runStartedAt: startedAt };
  let state: ClusterState | undefined;
  let client: ApiClient | undefined;
  let injector: FaultInjector | undefined;
  let error: Error | undefined;
  const loadAbort = new AbortController();
  const loads: { name: string; namespace: string; result: Promise<LoadResult> }[] = [];
  const loadProgress = new Map<string, LoadProgress>();
  let activeFaults: string[] = [];
  // The live line while faults run: which are in force, and what the load sees so far.
  const ticker = setInterval(() => {
    if (clock.current !== 'faults') return;
    const loadWords = [...loadProgress].map(
      ([name, p]) =>
        `${name} ${p.ok + p.failed ? ((100 * p.ok) / (p.ok + p.failed)).toFixed(2) : '100.00'}% ok of ${p.count}`,
    );
    options.progress(
      `faults: ${activeFaults.join(', ') || 'none'} in force; ${loadWords.join('; ') || 'no load'}`,
    );
  }, 5000);
  let recorders:
    | {
        cluster: ClusterStateRecorder;
        api: ApiProbeRecorder;
        truth: GroundTruthRecorder;
        durability: DurabilityWriter;
        isolation?: IsolationBattery;
      }
    | undefined;

  try {
    state = await clock.run('boot', timeouts.bootMs, (signal) =>
      provider.create(
        { ...scenario.cluster, name: clusterName, users: scenario.tenants.map((t) => t.name) },
        (line) => options.progress(`boot: ${line}`),
        signal,
      ),
    );
    const cluster = state;
    client = await adminClient(cluster);
    const api = client;
    injector = new FaultInjector({ state: cluster, provider, random: seededRandom(options.seed) });
    await clock.run('workloads', timeouts.workloadsMs, async () => {
      await setUpTenants(api, scenario.tenants);
      await applyWorkloads(cluster, scenario);
    });
    await clock.run('steady-state', timeouts.steadyStateMs, (signal) =>
      waitForSteadyState(api, cluster, scenario, timeouts.steadyStateMs, signal),
    );
    await clock.run('recorders', SETUP_TIMEOUT_MS, async () => {
      const namespaces = workloadNamespaces(scenario);
      const access = await adminAccess(cluster);
      recorders = {
        cluster: new ClusterStateRecorder({ ...recorderOptions, access, namespaces }),
        api: new ApiProbeRecorder({ ...recorderOptions, access }),
        truth: new GroundTruthRecorder({ ...recorderOptions, workers: cluster.workers }),
        durability: new DurabilityWriter({ ...recorderOptions, access, namespace: 'default' }),
        ...(scenario.tenants.length > 1
          ? {
              isolation: new IsolationBattery({
                ...recorderOptions,
                apiservers: cluster.apiservers,
                caPem: access.caPem,
                tenants: scenario.tenants.map((t) => ({ ...t, token: cluster.userTokens[t.name]! })),
              }),
            }
          : {}),
      };
      for (const r of [recorders.cluster, recorders.api, recorders.truth, recorders.durability]) r.start();
      for (const load of scenario.loads) {
        const [namespace, name] = load.service.split('/') as [string, string];
        const workers = cluster.workers.filter((w) => !load.nodes || load.nodes.includes(w.name));
        if (workers.length === 0)
          throw new Error(`load ${load.name}: none of its nodes (${load.nodes?.join(', ')}) is a worker`);
        // A Service with a load balancer is reached through it, as its clients would (a lost worker
        // then takes no share of the traffic with it); `nodes:` pins the load to node ports.
        const balancer = load.nodes
          ? undefined
          : await resolveLoadBalancerTarget(
              api,
              namespace,
              name,
              load.port,
              cluster.spec.controlPlane.cloudControllerManager ? LOAD_BALANCER_WAIT_MS : 0,
            );
        const targets = balancer
          ? [balancer]
          : await resolveServiceTargets(api, workers, namespace, name, load.port);
        const spec = parseLoadSpec({
          target: targets[0]!.url,
          rate: load.rate,
          // Until collect stops it: the load covers faults, heal and recovery.
          duration: `${load.durationMs ?? 3_600_000}ms`,
          requests: [{ method: 'GET', path: load.path }],
          timeout: `${load.timeoutMs}ms`,
          driver: 'builtin',
        });
        const driver = await createLoadDriver(spec, targets, { driver: 'builtin' });
        loads.push({
          name: load.name,
          namespace,
          result: driver.run({ signal: loadAbort.signal, onProgress: (p) => loadProgress.set(load.name, p) }),
        });
      }
      await recorders.isolation?.run();
    });
    await clock.run('faults', faultsPhaseMs(scenario), async (signal) => {
      // The steps (a conformance behaviour) run beside the schedule, from the same start.
      const steps = runSteps(scenario.steps, {
        kubectl: (args, o) =>
          runKubectl(args, {
            kubeconfig: cluster.kubeconfig,
            ...(o.as ? { token: cluster.userTokens[o.as]! } : {}),
            ...(o.stdin === undefined ? {} : { stdin: o.stdin }),
            cwd: dirname(scenario.file),
            timeoutMs: o.timeoutMs,
            signal: o.signal,
          }),
        now: () => clock.now(),
        record,
        progress: options.progress,
        signal,
      });
      await Promise.all([
        playSchedule(
          scenario.faults,
          injector!,
          () => clock.now(),
          record,
          (active) => {
            activeFaults = active;
            options.progress(`faults: ${active.length ? active.join(', ') : 'none'} in force`);
            void recorders?.isolation?.run();
          },
          signal,
        ),
        steps,
      ]);
    });
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  }

  clearInterval(ticker);
  // From here on everything runs, aborted or not.
  const aborted = options.signal.aborted || error !== undefined;
  if (injector) {
    const healer = injector;
    await clock
      .run(
        'heal',
        SETUP_TIMEOUT_MS,
        async () => {
          await healer.healAll();
          // Faults injected but not healed by the schedule (an abort) were healed just now.
          const healed = new Set(events.filter((e) => e.type === 'fault-heal').map((e) => e.fault.id));
          for (const e of events.filter((e) => e.type === 'fault-inject' && e.ok && !healed.has(e.fault.id)))
            if (e.type === 'fault-inject')
              record({
                t: clock.now(),
                type: 'fault-heal',
                fault: e.fault,
                ok: true,
                verifiedBy: 'final heal of the run',
              });
        },
        true,
      )
      .catch((e: Error) => (error ??= e));
  }
  if (state && client && !aborted) {
    const [cluster, api] = [state, client];
    await clock
      .run('recovery', timeouts.recoveryMs + AFTER_RECOVERY_OBSERVATION_MS, async (signal) => {
        await waitForSteadyState(api, cluster, scenario, timeouts.recoveryMs, signal);
        // Keep recording a little once recovered, so that checks of the after-heal window see the
        // recovered state in several samples, not in none.
        await sleep(AFTER_RECOVERY_OBSERVATION_MS);
      })
      .catch((e: Error) => record({ t: clock.now(), type: 'note', message: `no recovery: ${e.message}` }));
  }
  const loadSeconds: LoadSecond[] = [];
  await clock
    .run(
      'collect',
      SETUP_TIMEOUT_MS,
      async () => {
        loadAbort.abort();
        for (const load of loads) {
          const result = await load.result.catch((e: Error) => {
            record({ t: clock.now(), type: 'error', source: `load ${load.name}`, message: e.message });
            return undefined;
          });
          if (result)
            loadSeconds.push(...toLoadSeconds(load.name, load.namespace, result.buckets, startedAt));
        }
        if (recorders) {
          await Promise.all([
            recorders.cluster.stop(),
            recorders.api.stop(),
            recorders.truth.stop(),
            recorders.durability.stop(),
          ]);
          if (!aborted) await recorders.durability.verify();
        }
      },
      true,
    )
    .catch((e: Error) => (error ??= e));
  await client?.close();
  if (state && !options.keep) {
    const name = state.name;
    await clock
      .run('teardown', timeouts.teardownMs, () => provider.delete(name), true)
      .catch((e: Error) => (error ??= e));
  } else if (state) options.progress(`cluster ${state.name} kept: crucible down ${state.name}`);

  const history = assembleHistory({
    metadata: {
      scenario: {
        name: scenario.name,
        ...(scenario.description ? { description: scenario.description } : {}),
        tags: scenario.tags,
        file: scenario.file,
        hash: scenario.hash,
      },
      seed: options.seed,
      crucible: await crucibleBuild(),
      commandLine: options.commandLine,
      versions: await toolVersions(),
      provider: provider.name,
      topology: state
        ? [...new Set(state.members.map((m) => m.node))].map((node) => ({
            node,
            role: node.replace(/-\d+$/, ''),
          }))
        : [],
      tenants: scenario.tenants,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date().toISOString(),
      phases: clock.phases,
      ...(aborted
        ? {
            aborted: {
              phase: clock.phases.find((p) => p.outcome !== 'ok')?.name ?? clock.current ?? 'boot',
              reason: options.signal.aborted ? 'interrupted (Ctrl-C)' : (error?.message ?? 'unknown'),
            },
          }
        : {}),
      checks: scenario.checks,
    },
    events,
    loadSeconds,
    recorders,
  });
  return { history, verdicts: judge(history), ...(error ? { error } : {}) };
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
